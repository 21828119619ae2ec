/**
 * `syncvault account` end to end, as a user runs it: the installed bin in child processes against
 * a scratch database and a sandbox over HTTP, with no terminal (scripts) and, through `script(1)`,
 * with one (prompts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountView } from '@syncvault/daemon/accounts';
import { createPrismaClient, type PrismaClient } from '@syncvault/daemon/store';
import { createMigratedDatabase, createScratchDatabase, type ScratchDatabase } from '../support/postgres.js';
import { REPO_ROOT } from '../support/repo.js';
import { AccountsSandbox, uniqueName, type SandboxAccount } from './support.js';
import { uniqueRedisPrefix } from '../support/redis.js';
import { deleteRedisKeys } from '../api/support/daemon.js';

const BIN = join(REPO_ROOT, 'node_modules', '.bin', 'syncvault');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('syncvault account', () => {
  let sandbox: AccountsSandbox;
  let database: ScratchDatabase;
  let prisma: PrismaClient;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  // `account set` mirrors schedules into Redis: keep them under a prefix of this test's own.
  const redisPrefix = uniqueRedisPrefix('cli-accounts');

  before(async () => {
    sandbox = await AccountsSandbox.start();
    database = createMigratedDatabase('syncvault_cli_accounts');
    prisma = createPrismaClient(database.url);
    dataDir = mkdtempSync(join(tmpdir(), 'syncvault-cli-accounts-'));
    env = { ...process.env, DATABASE_URL: database.url, SYNCVAULT_MASTER_KEY: randomBytes(32).toString('hex'), SYNCVAULT_DATA_DIR: dataDir, SYNCVAULT_REDIS_PREFIX: redisPrefix, NO_COLOR: '1' };
  });
  after(async () => {
    await deleteRedisKeys(redisPrefix);
    await prisma.$disconnect();
    database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    await sandbox.close();
  });

  /** Runs the CLI to completion with no terminal on stdin. */
  async function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
    const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stdout, stderr };
  }

  function fxaArgs(account: SandboxAccount, name: string): string[] {
    return ['account', 'add', '--name', name, '--kind', 'selfhosted15', '--fxa', sandbox.urls.fxa, '--token-server', sandbox.urls.tokenServer, '--email', account.email];
  }

  /** A failed run: exit 1, nothing on stdout, one line on stderr. */
  function assertOneLineFailure(result: Run): string {
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    return lines[0] ?? '';
  }

  async function rowCount(name: string): Promise<number> {
    return prisma.account.count({ where: { name } });
  }

  it('add --json (selfhosted15) signs in, checks the account and prints its view without secrets', async () => {
    const account = await sandbox.createFxa();
    const name = uniqueName('laptop');
    const result = await run([...fxaArgs(account, name), '--password', account.password, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const view = JSON.parse(result.stdout) as AccountView;
    assert.equal(view.name, name);
    assert.equal(view.kind, 'selfhosted15');
    assert.equal(view.email, account.email);
    assert.equal(view.tokenServerUrl, sandbox.urls.tokenServer);
    assert.ok(!result.stdout.includes(account.password) && !result.stdout.includes(account.kB ?? ''));
    assert.equal(await rowCount(name), 1);
  });

  it('add --json (legacy11) takes the server URL, password and Sync Key', async () => {
    const account = await sandbox.createLegacy();
    const name = uniqueName('old-desktop');
    const args = ['account', 'add', '--name', name, '--kind', 'legacy11', '--server', sandbox.urls.storage11, '--email', account.email];
    const result = await run([...args, '--password', account.password, '--sync-key', account.syncKey ?? '', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const view = JSON.parse(result.stdout) as AccountView;
    assert.equal(view.kind, 'legacy11');
    assert.equal(view.serverUrl, sandbox.urls.storage11);
    assert.ok(!result.stdout.includes(account.password) && !result.stdout.includes(account.syncKey ?? ''));
  });

  it('without a terminal, a missing password or Sync Key is an error naming the flag, and nothing is added', async () => {
    const account = await sandbox.createFxa();
    const name = uniqueName('no-password');
    assert.match(assertOneLineFailure(await run([...fxaArgs(account, name), '--json'])), /--password/);
    assert.equal(await rowCount(name), 0);

    const legacy = await sandbox.createLegacy();
    const legacyArgs = ['account', 'add', '--name', name, '--kind', 'legacy11', '--server', sandbox.urls.storage11, '--email', legacy.email, '--password', legacy.password];
    assert.match(assertOneLineFailure(await run(legacyArgs)), /--sync-key/);
    assert.equal(await rowCount(name), 0);
  });

  it('without a terminal, a sign-in that needs an unblock code fails with one line saying so', async () => {
    const account = await sandbox.createFxa({ gates: { unblock: true } });
    const name = uniqueName('blocked');
    const line = assertOneLineFailure(await run([...fxaArgs(account, name), '--password', account.password]));
    assert.match(line, /unblock code/);
    assert.match(line, /terminal/);
    assert.equal(await rowCount(name), 0);
  });

  it('bad input is one line naming the flag; a wrong password names the problem and not the password', async () => {
    const account = await sandbox.createFxa();
    assert.match(assertOneLineFailure(await run([...fxaArgs(account, 'bad name'), '--password', account.password])), /^syncvault: --name: /);
    assert.match(
      assertOneLineFailure(await run(['account', 'add', '--name', uniqueName('moz'), '--kind', 'mozilla', '--fxa', sandbox.urls.fxa, '--email', account.email, '--password', 'x'])),
      /--fxa: .*selfhosted15/,
    );
    const wrong = assertOneLineFailure(await run([...fxaArgs(account, uniqueName('wrong')), '--password', 'not-the-password']));
    assert.match(wrong, /incorrect password/i);
    assert.doesNotMatch(wrong, /not-the-password/);
    assert.match(assertOneLineFailure(await run(['account', 'add', '--name', 'x', '--kind', 'sync10'])), /sync10/);
  });

  it('on a terminal, asks for the password without echoing it, then for the unblock code', async () => {
    const account = await sandbox.createFxa({ gates: { unblock: true } });
    const name = uniqueName('interactive');
    const quoted = [BIN, ...fxaArgs(account, name), '--json'].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
    // script(1) gives the command a pseudo-terminal; its stdin is what the user types.
    const child = spawn('script', ['-qfec', quoted, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let screen = '';
    const answered = new Set<string>();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      screen += chunk;
      if (screen.includes('Password:') && !answered.has('password')) {
        answered.add('password');
        child.stdin.write(`${account.password}\r`);
      }
      if (screen.includes('Code:') && !answered.has('code')) {
        answered.add('code');
        void sandbox.codes(account.email).then((codes) => child.stdin.write(`${codes.unblockCode ?? ''}\r`));
      }
    });
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 0, screen);
    assert.ok(answered.has('password') && answered.has('code'), screen);
    assert.ok(!screen.includes(account.password), 'the password is not echoed');
    const json = screen.split(/\r?\n/).find((line) => line.startsWith('{'));
    assert.equal((JSON.parse(json ?? '{}') as AccountView).name, name);
    assert.equal(await rowCount(name), 1);
  });

  it('list, set, reconnect and remove, each with --json and in plain text', async () => {
    const account = await sandbox.createLegacy();
    const name = uniqueName('managed');
    const added = await run(['account', 'add', '--name', name, '--kind', 'legacy11', '--server', sandbox.urls.storage11, '--email', account.email, '--password', account.password, '--sync-key', account.syncKey ?? '']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, new RegExp(`^Added account ${name} \\(legacy11, `));
    assert.match(added.stdout, /on demand/);

    const listed = await run(['account', 'list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const views = JSON.parse(listed.stdout) as AccountView[];
    assert.ok(views.some((view) => view.name === name));
    assert.doesNotMatch(listed.stdout, new RegExp(account.password));
    const table = await run(['account', 'list']);
    assert.match(table.stdout, /^NAME\s+KIND\s+EMAIL\s+SCHEDULE\s+RETENTION$/m);
    assert.match(table.stdout, new RegExp(`^${name}\\s+legacy11\\s+${account.email.replace(/[.]/g, '\\.')}\\s+on demand\\s+keep every snapshot$`, 'm'));

    const set = await run(['account', 'set', name, '--schedule', 'every 6h', '--keep-last', '3', '--keep-daily', '7', '--shrink-threshold', '0.3', '--webhook', 'https://hooks.example.com/sv', '--json']);
    assert.equal(set.code, 0, set.stderr);
    const updated = JSON.parse(set.stdout) as AccountView;
    assert.equal(updated.schedule, 'every 6h');
    assert.deepEqual(updated.retention, { keepLast: 3, keepDaily: 7 });
    assert.deepEqual(updated.alertSettings, { shrinkThreshold: 0.3, webhookUrl: 'https://hooks.example.com/sv' });

    const cleared = await run(['account', 'set', name, '--no-schedule', '--clear-retention', '--keep-weekly', '4', '--no-webhook']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.match(cleared.stdout, /schedule\s+on demand/);
    assert.match(cleared.stdout, /retention\s+keep weekly 4/);
    const row = await prisma.account.findUniqueOrThrow({ where: { name } });
    assert.equal(row.schedule, null);
    assert.deepEqual(row.retention, { keepWeekly: 4 });
    assert.deepEqual(row.alertSettings, { shrinkThreshold: 0.3 });

    assert.match(assertOneLineFailure(await run(['account', 'set', name, '--schedule', 'every 10s'])), /^syncvault: --schedule: .*1 minute/);
    assert.match(assertOneLineFailure(await run(['account', 'set', name, '--schedule', '61 * * * *'])), /--schedule: .*not a valid cron pattern/);
    assert.match(assertOneLineFailure(await run(['account', 'set', name])), /nothing to change/);
    assert.match(assertOneLineFailure(await run(['account', 'set', name, '--shrink-threshold', '2'])), /0 to 1/);

    const reconnected = await run(['account', 'reconnect', name, '--password', account.password, '--json']);
    assert.equal(reconnected.code, 0, reconnected.stderr);
    assert.equal((JSON.parse(reconnected.stdout) as AccountView).id, views.find((view) => view.name === name)?.id);
    assert.match(assertOneLineFailure(await run(['account', 'reconnect', name])), /--password/);

    const removed = await run(['account', 'remove', name, '--json']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((JSON.parse(removed.stdout) as AccountView).name, name);
    assert.equal(await rowCount(name), 0);
    assert.match(assertOneLineFailure(await run(['account', 'remove', name])), new RegExp(`no account named "${name}"`));
  });

  it('every subcommand has --help', async () => {
    for (const command of [['account'], ['account', 'add'], ['account', 'list'], ['account', 'remove'], ['account', 'set'], ['account', 'reconnect']]) {
      const result = await run([...command, '--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Usage: syncvault account/m);
    }
    const add = await run(['account', 'add', '--help']);
    for (const flag of ['--name', '--kind', '--fxa', '--token-server', '--server', '--storage-url', '--sign-as-origin', '--email', '--username', '--password', '--sync-key', '--json']) {
      assert.ok(add.stdout.includes(flag), `add --help mentions ${flag}`);
    }
  });

  it('without a vault key, or on a database without the tables, the one line says what to do', async () => {
    assert.match(assertOneLineFailure(await run(['account', 'list'], { SYNCVAULT_MASTER_KEY: '' })), /SYNCVAULT_MASTER_KEY/);
    const empty = createScratchDatabase('syncvault_cli_empty');
    try {
      assert.match(assertOneLineFailure(await run(['account', 'list'], { DATABASE_URL: empty.url })), /^syncvault: database: .*npm run db:migrate/);
    } finally {
      empty.drop();
    }
  });
});
