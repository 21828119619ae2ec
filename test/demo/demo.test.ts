/**
 * `syncvault demo`, what `npm start` runs, as a new user meets it: nothing configured but where
 * PostgreSQL, Redis and the data directory are. Started twice on the same database and data
 * directory, as a user starts it again the next day.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { AccountService } from '@syncvault/daemon/accounts';
import { BackupEngine } from '@syncvault/daemon/backup';
import { MigrationService, type MigrationResult } from '@syncvault/daemon/migrate';
import { createPrismaClient, type PrismaClient } from '@syncvault/daemon/store';
import { KeyCustody, loadVaultKey, Vault } from '@syncvault/daemon/vault';
import { createMigratedDatabase, createScratchDatabase, type ScratchDatabase } from '../support/postgres.js';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis.js';
import { deleteRedisKeys, json, login } from '../api/support/daemon.js';
import { cliEnv, runCli, startCli } from '../api/support/cli.js';
import { REPO_ROOT } from '../support/repo.js';
import { sandboxControl } from '../support/sandbox-control.js';

/** The dashboard's standalone build, which the demo runs when it exists. */
const DASHBOARD_SERVER_JS = join(REPO_ROOT, 'apps', 'dashboard', '.next', 'standalone', 'apps', 'dashboard', 'server.js');

/** What the sandbox seeds into each demo account (Firefox's collections, plus meta/global and crypto/keys). */
const SEEDED_COLLECTIONS = ['addons', 'addresses', 'bookmarks', 'clients', 'creditcards', 'crypto', 'forms', 'history', 'meta', 'passwords', 'prefs', 'tabs'];
const BACKED_UP_ACCOUNTS = ['demo-firefox', 'demo-legacy'];
const MIGRATION_TARGET = 'demo-selfhosted';
const DEMO_ACCOUNTS = [...BACKED_UP_ACCOUNTS, MIGRATION_TARGET];
const DEMO_FXA_EMAIL = 'demo@syncvault.test';
const READY_TIMEOUT_MS = 120_000;

interface DemoSnapshot {
  seq: number;
  status: string;
  collections: Record<string, { count: number }>;
  versionsAdded: number;
}

interface DemoJson {
  url: string;
  dashboard: { url?: string; missing?: string };
  sandboxUrl: string;
  selfhostedSandboxUrl: string;
  vaultKeyFile?: string;
  admin: { username: string; password?: string; passwordSource: string };
  accounts: Array<{ name: string; kind: string; email: string; role: string; snapshot?: DemoSnapshot }>;
  schedule: { pattern: string; description: string };
}

interface JobJson {
  queue: string;
  accountId: string;
  trigger: string;
  state: string;
}

type RunningCli = ReturnType<typeof startCli>;

/** Resolves with `read(stdout)` once it is defined; fails at once, with stderr, if the command exits first. */
async function untilPrinted<T>(demo: RunningCli, what: string, read: (stdout: string) => T | undefined): Promise<T> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const { stdout, stderr } = demo.output();
    const value = read(stdout);
    if (value !== undefined) return value;
    if (demo.child.exitCode !== null) throw new Error(`the demo exited (${demo.child.exitCode}) before printing ${what}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopWithSigterm(demo: RunningCli): Promise<number | null> {
  if (demo.child.exitCode !== null) return demo.child.exitCode;
  demo.child.kill('SIGTERM');
  const [code] = (await once(demo.child, 'exit')) as [number | null];
  return code;
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(directory, entry))
    .filter((path) => statSync(path).isFile());
}

function assertSeededSnapshot(snapshot: DemoSnapshot, account: string): void {
  assert.equal(snapshot.seq, 1, `${account}: a new account's first snapshot`);
  assert.equal(snapshot.status, 'complete', account);
  assert.deepEqual(Object.keys(snapshot.collections).sort(), SEEDED_COLLECTIONS, `${account}: every seeded collection`);
  for (const [collection, { count }] of Object.entries(snapshot.collections)) assert.ok(count > 0, `${account}: ${collection} has records`);
  const records = Object.values(snapshot.collections).reduce((sum, { count }) => sum + count, 0);
  assert.equal(snapshot.versionsAdded, records, `${account}: every record stored`);
}

/** Record counts per collection, as the sandbox's control API reports a storage user's. */
function countsOf(snapshot: DemoSnapshot): Record<string, number> {
  return Object.fromEntries(Object.entries(snapshot.collections).map(([name, { count }]) => [name, count]));
}

/** The demo FxA account's uid, from the first sandbox's control API. */
async function demoFxaUid(sandboxUrl: string): Promise<string> {
  const accounts = await sandboxControl<Array<{ email: string; uid: string }>>(`${sandboxUrl}/__sandbox__`, 'GET', '/accounts');
  const account = accounts.find((candidate) => candidate.email === DEMO_FXA_EMAIL);
  assert.ok(account !== undefined, `the sandbox has the demo FxA account: ${JSON.stringify(accounts)}`);
  return account.uid;
}

/** What the self-hosted sandbox stores for that FxA user, per collection, read on the server side. */
function selfhostedCollections(selfhostedSandboxUrl: string, fxaUid: string): Promise<Record<string, number>> {
  return sandboxControl<Record<string, number>>(`${selfhostedSandboxUrl}/__sandbox__`, 'GET', `/storage-users/${encodeURIComponent(fxaUid)}/collections`);
}

/** Runs the migration engine, as `syncvault migrate` does, on the demo's database with the demo's vault key. */
async function migrateInTheDemo(databaseUrl: string, prisma: PrismaClient, keyFile: string, source: string, target: string): Promise<MigrationResult> {
  const vault = new Vault(loadVaultKey({ demoKeyFile: keyFile }).key);
  const keyCustody = new KeyCustody(prisma, vault);
  const accounts = new AccountService({ prisma, vault, keyCustody });
  try {
    const backup = new BackupEngine({ prisma, databaseUrl, keyCustody });
    const service = new MigrationService({ prisma, databaseUrl, accounts, keyCustody, vault, backup });
    return await service.run({ source, target });
  } finally {
    accounts.close();
  }
}

describe('syncvault demo (npm start)', () => {
  let database: ScratchDatabase;
  let prisma: PrismaClient;
  let redisPrefix: string;
  let dataDir: string;
  let env: Record<string, string>;
  let queue: Queue;
  let first: DemoJson | undefined;
  let firstKey: string | undefined;

  before(() => {
    database = createMigratedDatabase('syncvault_demo');
    prisma = createPrismaClient(database.url);
    redisPrefix = uniqueRedisPrefix('demo');
    dataDir = mkdtempSync(join(tmpdir(), 'syncvault-demo-'));
    // No vault key, no admin password: the demo must make what it needs.
    env = cliEnv({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, SYNCVAULT_REDIS_PREFIX: redisPrefix, SYNCVAULT_DATA_DIR: dataDir, SYNCVAULT_PORT: '0', SYNCVAULT_DASHBOARD_PORT: '0' });
    queue = new Queue('backup', { connection: { url: TEST_REDIS_URL }, prefix: redisPrefix });
  });
  after(async () => {
    await queue?.close();
    await prisma?.$disconnect();
    await deleteRedisKeys(redisPrefix);
    database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('first start: creates the key, backs up demo-firefox and demo-legacy, leaves demo-selfhosted empty for a migration that then works, prints URL and admin credentials once, serves, exits 0 on SIGTERM', async () => {
    const demo = startCli(['demo', '--json'], env);
    let summary: DemoJson;
    try {
      summary = await untilPrinted(demo, 'its JSON summary', (stdout) => (stdout.includes('\n') ? (JSON.parse(stdout.split('\n')[0]!) as DemoJson) : undefined));
      first = summary;

      const port = Number(/^http:\/\/127\.0\.0\.1:(\d+)$/.exec(summary.url)?.[1]);
      assert.ok(port > 0, `the URL has the real port: ${summary.url}`);
      assert.equal(summary.admin.username, 'admin');
      assert.equal(summary.admin.passwordSource, 'generated');
      const password = summary.admin.password ?? '';
      assert.ok(password.length >= 8, 'a generated password is printed');
      assert.deepEqual(
        summary.accounts.map((account) => [account.name, account.kind, account.role]),
        [
          ['demo-firefox', 'selfhosted15', 'backed-up'],
          ['demo-legacy', 'legacy11', 'backed-up'],
          [MIGRATION_TARGET, 'selfhosted15', 'migration-target'],
        ],
      );
      for (const account of summary.accounts) {
        if (account.role === 'backed-up') assertSeededSnapshot(account.snapshot!, account.name);
        else assert.equal(account.snapshot, undefined, `${account.name}: not backed up`);
      }
      assert.match(summary.sandboxUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(summary.selfhostedSandboxUrl, /^http:\/\/127\.0\.0\.1:\d+\/ffsync$/);
      assert.notEqual(new URL(summary.selfhostedSandboxUrl).port, new URL(summary.sandboxUrl).port, 'a second sandbox');

      // The daemon serves on that URL, with the printed credentials.
      const health = await fetch(`${summary.url}/health`);
      assert.equal(health.status, 200, await health.clone().text());
      assert.equal((await json<{ status: string }>(health)).status, 'ok');
      const cookie = await login(summary.url, password);
      const jobsResponse = await fetch(`${summary.url}/api/jobs`, { headers: { cookie } });
      assert.equal(jobsResponse.status, 200);
      // The dashboard runs when it is built (CI builds it before the tests), pointed at this API.
      if (existsSync(DASHBOARD_SERVER_JS)) {
        assert.ok(summary.dashboard.url !== undefined, `the dashboard runs: ${summary.dashboard.missing ?? ''}`);
        assert.equal((await fetch(`${summary.dashboard.url}/signin`)).status, 200);
        const viaDashboard = await fetch(`${summary.dashboard.url}/api/jobs`, { headers: { cookie } });
        assert.equal(viaDashboard.status, 200, 'the dashboard reaches the demo API with the same session');
      } else {
        assert.match(summary.dashboard.missing ?? '', /npm run build:dashboard/);
      }
      const accounts = await prisma.account.findMany({ orderBy: { name: 'asc' }, include: { snapshots: true } });
      assert.deepEqual(accounts.map((account) => account.name), DEMO_ACCOUNTS);
      const backedUp = accounts.filter((account) => account.name !== MIGRATION_TARGET);
      // Besides them, the schedulers' next (delayed) runs.
      const jobs = (await json<JobJson[]>(jobsResponse)).filter((job) => job.trigger !== 'schedule');
      assert.deepEqual(
        jobs.map((job) => [job.queue, job.accountId, job.trigger, job.state]).sort(),
        backedUp.map((account) => ['backup', account.id, 'demo', 'completed']).sort(),
        'one completed demo backup job per account but the migration target, through the queue',
      );
      assert.deepEqual(accounts.map((account) => account.schedule), ['0 * * * *', '0 * * * *', null], 'the backed-up two scheduled after their first backup, the target not');
      const schedulers = await queue.getJobSchedulers(0, -1);
      assert.deepEqual(schedulers.map((scheduler) => scheduler.key).sort(), backedUp.map((account) => `backup:${account.id}`).sort(), 'schedules mirrored to BullMQ');

      // The migration target: the demo FxA account, its storage on the self-hosted sandbox behind /ffsync, empty.
      const target = accounts.find((account) => account.name === MIGRATION_TARGET)!;
      assert.deepEqual(
        [target.kind, target.email, target.fxaUrl, target.tokenServerUrl, target.snapshots.length],
        ['selfhosted15', DEMO_FXA_EMAIL, `${summary.sandboxUrl}/fxa`, `${summary.selfhostedSandboxUrl}/token/1.0/sync/1.5`, 0],
      );
      const fxaUid = await demoFxaUid(summary.sandboxUrl);
      assert.deepEqual(await selfhostedCollections(summary.selfhostedSandboxUrl, fxaUid), {}, 'the self-hosted storage starts empty');

      // The vault key: a new file readable by the user only; the admin password is nowhere on disk.
      const keyFile = join(dataDir, 'demo', 'vault.key');
      assert.equal(summary.vaultKeyFile, keyFile);
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      firstKey = readFileSync(keyFile, 'utf8');
      for (const file of filesUnder(dataDir)) assert.ok(!readFileSync(file, 'utf8').includes(password), `${file} does not hold the password`);

      // What the summary offers: demo-firefox migrated into demo-selfhosted, while the demo serves.
      const source = summary.accounts.find((account) => account.name === 'demo-firefox')!;
      const result = await migrateInTheDemo(database.url, prisma, keyFile, 'demo-firefox', MIGRATION_TARGET);
      assert.deepEqual(result.verification.mismatches, []);
      assert.equal(result.verification.ok, true);
      assert.deepEqual([result.plan.keys, result.plan.metaGlobal], ['copy', 'copy'], 'the same Firefox Account on both sides: keys and meta/global copied as they are');
      assert.deepEqual(
        await selfhostedCollections(summary.selfhostedSandboxUrl, fxaUid),
        countsOf(source.snapshot!),
        "the self-hosted sandbox stores every record of the demo's first snapshot",
      );

      const { stdout, stderr } = demo.output();
      assert.equal(stdout.trimEnd().split('\n').length, 1, `--json prints one line on stdout: ${stdout}`);
      assert.ok(!stderr.includes(password), 'the password is not logged');
    } finally {
      const code = await stopWithSigterm(demo);
      assert.equal(code, 0, `exit status after SIGTERM (stderr: ${demo.output().stderr})`);
    }
  });

  it('second start on the same database and data directory: replaces the demo accounts, backs them up again, shows no password', async () => {
    assert.ok(first !== undefined && firstKey !== undefined, 'the first start ran');
    const firstPassword = first.admin.password ?? '';
    const earlierIds = (await prisma.account.findMany({ select: { id: true } })).map((account) => account.id);
    const demo = startCli(['demo'], env);
    try {
      const url = await untilPrinted(demo, 'the ready summary', (stdout) => /^ {2}API {8}(http:\/\/127\.0\.0\.1:\d+) /m.exec(stdout.slice(stdout.indexOf('Syncvault demo is ready')))?.[1]);
      await untilPrinted(demo, 'the end of the summary', (stdout) => (stdout.includes('Press Ctrl+C to stop.') ? true : undefined));
      const { stdout } = demo.output();
      assert.match(stdout, /replaced the earlier demo's demo-firefox, demo-legacy and demo-selfhosted:/);
      assert.match(stdout, /admin {6}admin {2}\(password from the first start; lost it\? npx syncvault admin reset-password\)/);
      assert.ok(!stdout.includes(firstPassword), 'the password is not shown again');
      assert.match(stdout, /vault key {2}.*\(the demo's key file\)/);
      assert.equal(readFileSync(join(dataDir, 'demo', 'vault.key'), 'utf8'), firstKey, 'the same key file, untouched');
      for (const name of BACKED_UP_ACCOUNTS) assert.match(stdout, new RegExp(`^ {2}${name} +\\S+, \\S+: snapshot 1 complete, 12 collections, \\d+ records$`, 'm'));
      assert.match(stdout, /^ {2}demo-selfhosted {2}selfhosted15, demo@syncvault\.test: empty, the migration target \(not backed up\)$/m);
      assert.match(stdout, /^ {2}npx syncvault migrate demo-firefox demo-selfhosted --dry-run$/m);

      // New accounts, the backed-up ones with one complete snapshot; nothing is left of the earlier ones, nor of the migration between them.
      const accounts = await prisma.account.findMany({ orderBy: { name: 'asc' }, include: { snapshots: true } });
      assert.deepEqual(accounts.map((account) => account.name), DEMO_ACCOUNTS);
      for (const account of accounts) {
        assert.ok(!earlierIds.includes(account.id), `${account.name} is a new account`);
        const expected = account.name === MIGRATION_TARGET ? [] : [[1, 'complete']];
        assert.deepEqual(account.snapshots.map((snapshot) => [snapshot.seq, snapshot.status]), expected, account.name);
      }
      const target = accounts.find((account) => account.name === MIGRATION_TARGET)!;
      assert.equal(target.schedule, null);
      assert.match(target.tokenServerUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/ffsync\/token\/1\.0\/sync\/1\.5$/);
      assert.equal(await prisma.snapshot.count({ where: { accountId: { in: earlierIds } } }), 0);
      assert.equal(await prisma.migration.count(), 0, "the earlier demo's migration went with its accounts");
      const schedulers = await queue.getJobSchedulers(0, -1);
      assert.deepEqual(
        schedulers.map((scheduler) => scheduler.key).sort(),
        accounts.filter((account) => account.name !== MIGRATION_TARGET).map((account) => `backup:${account.id}`).sort(),
        "the earlier accounts' schedules are gone",
      );

      // The admin from the first start still signs in; a lost password can be reset.
      await login(url, firstPassword);
      const reset = await runCli(['admin', 'reset-password', '--json'], env);
      assert.equal(reset.code, 0, reset.stderr);
      const { username, password } = JSON.parse(reset.stdout) as { username: string; password: string };
      assert.equal(username, 'admin');
      const afterReset = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      assert.deepEqual(await afterReset.json(), { ok: true, mustChangePassword: true }, 'a generated reset password is for one sign-in');
      await login(url, password);
      const old = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: firstPassword }) });
      assert.equal(old.status, 401, 'the old password no longer works');
    } finally {
      const code = await stopWithSigterm(demo);
      assert.equal(code, 0, `exit status after SIGTERM (stderr: ${demo.output().stderr})`);
    }
    assert.match(demo.output().stdout, /Stopping the demo\.\.\.\n$/);
  });

  it('says in one line what to do when the database is not migrated or Redis is not there', async () => {
    const empty = createScratchDatabase('syncvault_demo_empty');
    try {
      const unmigrated = await runCli(['demo'], { ...env, DATABASE_URL: empty.url });
      assert.equal(unmigrated.code, 1);
      assert.match(unmigrated.stderr, /^syncvault: the database "syncvault_demo_empty_\w+" at 127\.0\.0\.1:\d+ is not migrated \(or not up to date\): run `npm run db:migrate`\n$/);
    } finally {
      empty.drop();
    }
    const noRedis = await runCli(['demo'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    assert.equal(noRedis.code, 1);
    assert.match(noRedis.stderr, /^syncvault: Redis is not reachable at 127\.0\.0\.1:1 \(REDIS_URL; .*\): start it \(e\.g\. redis-server\), or point REDIS_URL at one\n$/);
  });
});
