/**
 * The `syncvault` program end to end, as a user runs it: `syncvault sandbox --json` in one
 * process, `syncvault probe` against it in others, over real HTTP.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/repo.js';

const BIN = join(REPO_ROOT, 'node_modules', '.bin', 'syncvault');

interface SandboxAccount {
  kind: 'fxa' | 'legacy11';
  email: string;
  password: string;
  syncKey?: string;
}
interface SandboxBanner {
  fxa: string;
  tokenServer: string;
  storage15: string;
  storage11: string;
  accounts: SandboxAccount[];
}
interface ProbeReport {
  collections: Record<string, { count: number; lastModified: number }>;
  decrypted: Record<string, Record<string, unknown>>;
}
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion with no terminal on stdin. */
async function run(args: string[]): Promise<Run> {
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Every collection the seed writes; crypto and meta hold keys and the engine list. */
const SEEDED = ['addons', 'addresses', 'bookmarks', 'clients', 'creditcards', 'crypto', 'forms', 'history', 'meta', 'passwords', 'prefs', 'tabs'];

describe('syncvault CLI', () => {
  let sandbox: ChildProcess;
  let banner: SandboxBanner;

  before(async () => {
    sandbox = spawn(BIN, ['sandbox', '--json', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: sandbox.stdout as NodeJS.ReadableStream });
    const [line] = (await once(lines, 'line')) as [string];
    banner = JSON.parse(line) as SandboxBanner;
  });
  after(async () => {
    if (sandbox.exitCode === null) {
      sandbox.kill('SIGTERM');
      await once(sandbox, 'exit');
    }
  });

  function account(kind: SandboxAccount['kind']): SandboxAccount {
    const found = banner.accounts.find((candidate) => candidate.kind === kind);
    assert.ok(found, `the demo seed has a ${kind} account`);
    return found;
  }

  it('sandbox --json prints one line with every URL and a 1.5 and a 1.1 demo account', () => {
    for (const url of [banner.fxa, banner.tokenServer, banner.storage15, banner.storage11]) assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//);
    assert.match(account('legacy11').syncKey ?? '', /^[a-z2-9](-[a-z2-9]{5}){5}$/);
    assert.equal(account('fxa').syncKey, undefined);
  });

  for (const kind of ['fxa', 'legacy11'] as const) {
    it(`probe --json of the ${kind} demo account lists every seeded collection and decrypts a record of each`, async () => {
      const demo = account(kind);
      const args =
        kind === 'fxa'
          ? ['probe', '--fxa', banner.fxa, '--token-server', banner.tokenServer, '--email', demo.email, '--password', demo.password, '--json']
          : ['probe', '--legacy', banner.storage11, '--email', demo.email, '--password', demo.password, '--sync-key', demo.syncKey ?? '', '--json'];
      const result = await run(args);
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout) as ProbeReport;
      assert.deepEqual(Object.keys(report.collections).sort(), SEEDED);
      for (const [name, info] of Object.entries(report.collections)) {
        assert.ok(info.count > 0, `${name} has records`);
        assert.ok(Number.isInteger(info.lastModified) && info.lastModified > 0, `${name} has a ms timestamp`);
      }
      assert.deepEqual(Object.keys(report.decrypted).sort(), SEEDED);
      assert.equal(typeof report.decrypted['bookmarks']?.['type'], 'string');
      assert.equal(typeof report.decrypted['meta']?.['storageVersion'], 'number');
      // Secrets are masked unless asked for.
      assert.doesNotMatch(result.stdout, new RegExp(demo.password));
      const login = report.decrypted['passwords'];
      assert.ok(login !== undefined && typeof login['password'] === 'string' && /^\*+$|masked/i.test(login['password']), JSON.stringify(login?.['password']));
    });
  }

  it('sandbox --path-prefix serves everything under the prefix, and refuses a prefix with a trailing slash', async () => {
    const prefixed = spawn(BIN, ['sandbox', '--json', '--port', '0', '--seed', 'none', '--path-prefix', '/ffsync'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(createInterface({ input: prefixed.stdout as NodeJS.ReadableStream }), 'line')) as [string];
      const prefixedBanner = JSON.parse(line) as SandboxBanner;
      const origin = new URL(prefixedBanner.fxa).origin;
      assert.equal(prefixedBanner.tokenServer, `${origin}/ffsync/token/1.0/sync/1.5`);
      assert.equal(prefixedBanner.storage15, `${origin}/ffsync/storage`);
    } finally {
      prefixed.kill('SIGTERM');
      await once(prefixed, 'exit');
    }
    const refused = await run(['sandbox', '--path-prefix', '/ffsync/']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /path prefix/);
  });

  it('probe with a wrong password exits 1 with one line that names the problem and not the password', async () => {
    const demo = account('fxa');
    const result = await run(['probe', '--fxa', banner.fxa, '--token-server', banner.tokenServer, '--email', demo.email, '--password', 'not-the-password']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /incorrect password/i);
    assert.doesNotMatch(result.stderr, /not-the-password/);
  });

  it('probe of a 1.1 account with the wrong Sync Key says the key does not open crypto/keys', async () => {
    const demo = account('legacy11');
    const wrongKey = 'a-bcdef-ghijk-mnpqr-stuvw-xyz23';
    const result = await run(['probe', '--legacy', banner.storage11, '--email', demo.email, '--password', demo.password, '--sync-key', wrongKey]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /sync key/i);
    assert.doesNotMatch(result.stderr, new RegExp(demo.password));
  });

  it('probe without a password and without a terminal says how to give one instead of waiting', async () => {
    const demo = account('fxa');
    const result = await run(['probe', '--fxa', banner.fxa, '--token-server', banner.tokenServer, '--email', demo.email]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /terminal|--password/);
  });

  it('probe without --fxa or --legacy is a usage error', async () => {
    const result = await run(['probe', '--email', 'someone@example.test', '--password', 'x']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /--fxa|--legacy/);
  });

  for (const command of [[], ['sandbox'], ['probe']]) {
    it(`${['syncvault', ...command].join(' ')} --help describes its options`, async () => {
      const result = await run([...command, '--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Usage: syncvault/);
      assert.match(result.stdout, /--help/);
    });
  }
});
