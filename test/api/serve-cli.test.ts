/** `syncvault serve` as an operator runs it: configuration errors, the first admin, the URL, health, SIGTERM. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createTestWorld, json, login, type TestWorld } from './support/daemon.js';
import { cliEnv, runCli, startCli, waitFor } from './support/cli.js';

describe('syncvault serve', () => {
  let world: TestWorld;

  before(() => {
    world = createTestWorld('serve');
  });
  after(async () => {
    await world?.drop();
  });

  it('prints its URL and the generated admin password once, answers /health, and exits 0 on SIGTERM', async () => {
    const serve = startCli(['serve'], cliEnv(world.env));
    try {
      const url = await waitFor('the URL line', () => /Syncvault is serving at (http:\/\/127\.0\.0\.1:\d+) /.exec(serve.output().stdout)?.[1]);
      const { stdout } = serve.output();
      const password = /created the admin user "admin" with the password (\S+) \(shown only this once/.exec(stdout)?.[1];
      assert.ok(password !== undefined, `the generated password is printed: ${stdout}`);
      const health = await fetch(`${url}/health`);
      assert.equal(health.status, 200, JSON.stringify(await health.clone().json()));
      assert.equal((await json<{ status: string }>(health)).status, 'ok');
      await login(url, password);
      assert.ok(!serve.output().stderr.includes(password), 'the password is not in the log');
    } finally {
      serve.child.kill('SIGTERM');
    }
    const [code] = (await once(serve.child, 'exit')) as [number | null];
    assert.equal(code, 0, `exit code after SIGTERM (stderr: ${serve.output().stderr})`);

    // A restart does not make a new admin or print a password again.
    const again = startCli(['serve'], cliEnv(world.env));
    try {
      await waitFor('the URL line', () => /Syncvault is serving at/.exec(again.output().stdout)?.[0]);
      assert.doesNotMatch(again.output().stdout, /password/);
    } finally {
      again.child.kill('SIGTERM');
      await once(again.child, 'exit');
    }
  });

  for (const [variable, value] of [
    ['SYNCVAULT_PORT', 'eighty'],
    ['REDIS_URL', 'localhost:6379'],
    ['SYNCVAULT_LOG_FORMAT', 'xml'],
    ['SYNCVAULT_BASE_PATH', 'syncvault/'],
  ] as const) {
    it(`exits 1 with one line naming a bad ${variable}`, async () => {
      const run = await runCli(['serve'], cliEnv({ ...world.env, [variable]: value }));
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line: ${run.stderr}`);
      assert.match(lines[0]!, new RegExp(`^syncvault: ${variable} `));
    });
  }

  it('refuses to start without a vault key, saying how to make one', async () => {
    const { SYNCVAULT_MASTER_KEY: _key, ...withoutKey } = world.env;
    const run = await runCli(['serve'], cliEnv(withoutKey));
    assert.equal(run.code, 1);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line: ${run.stderr}`);
    assert.match(lines[0]!, /^syncvault: no vault key: set SYNCVAULT_MASTER_KEY .*openssl rand -hex 32/);
  });
});
