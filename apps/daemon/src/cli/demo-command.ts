import { type Command } from 'commander';
import type { LogLevel } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startSandbox, type RunningSandbox } from '@syncvault/sandbox';
import { AccountService } from '../accounts/account-service.js';
import type { AdminCredentials } from '../api/admin-bootstrap.js';
import { ADMIN_USERNAME } from '../api/auth/auth-service.js';
import { KEY_CUSTODY, PRISMA, VAULT } from '../app/tokens.js';
import { ConfigError, loadConfig, type SyncvaultConfig } from '../config/index.js';
import { backupProgressDisplay } from './backup-progress.js';
import { DEMO_SCHEDULE, DEMO_SCHEDULE_TEXT, DEMO_SELFHOSTED_PATH_PREFIX, ensureDemoAccounts } from '../demo/demo-accounts.js';
import { checkDemoPrerequisites } from '../demo/prerequisites.js';
import { demoSummaryText, listText, type DemoAccountSummary, type DemoAdmin, type DemoSummary } from '../demo/summary.js';
import type { SnapshotSummaryJson } from '../jobs/queues.js';
import { snapshotDigest } from '../jobs/snapshot-digest.js';
import type { PrismaClient } from '../store/prisma.js';
import { loadVaultKey, type KeyCustody, type LoadedVaultKey, type Vault } from '../vault/index.js';
import { demoKeyFile } from './context.js';
import { printJson } from './output.js';
import { startDemoDashboard } from '../demo/dashboard.js';

interface DemoOptions {
  json?: boolean;
}

/** Ctrl+C (or SIGTERM) while the demo starts or serves: everything it started is closed, then it exits 0. */
class DemoStopped extends Error {
  override readonly name = 'DemoStopped';
  constructor() {
    super('stopped');
  }
}

/** Once shutting down, a stuck close must not keep the process alive for ever. */
const EXIT_GRACE_MS = 10_000;

/** The first sandbox's port; a fixed one leaves the next port for the self-hosted sandbox. */
function demoSandboxPort(env: Record<string, string | undefined>): number {
  const value = env['SYNCVAULT_DEMO_SANDBOX_PORT']?.trim();
  if (value === undefined || value === '') return 0;
  if (!/^\d+$/.test(value) || Number(value) > 65534) {
    throw new ConfigError('SYNCVAULT_DEMO_SANDBOX_PORT must be a whole number from 0 to 65534 (the self-hosted sandbox takes the port after it)');
  }
  return Number(value);
}

function selfhostedSandboxPort(sandboxPort: number): number {
  return sandboxPort === 0 ? 0 : sandboxPort + 1;
}

/** host:port/database, without the credentials a URL may carry. */
function databaseLocation(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.host}${url.pathname}`;
}

function describeVaultKey(key: LoadedVaultKey): string {
  switch (key.source) {
    case 'environment':
      return 'from SYNCVAULT_MASTER_KEY';
    case 'key-file':
      return `${key.path ?? ''} (SYNCVAULT_MASTER_KEY_FILE)`;
    case 'demo-key-file':
      return key.created
        ? `created ${key.path ?? ''} (readable by you only); keep it: without it the stored demo credentials cannot be opened`
        : `${key.path ?? ''} (the demo's key file)`;
  }
}

function adminPasswordFromEnv(): string | undefined {
  const value = process.env['SYNCVAULT_ADMIN_PASSWORD'];
  return value === undefined || value === '' ? undefined : value;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'the zero-config demo (what `npm start` runs): a sandbox with demo data and an empty "self-hosted" one, the API and workers, two demo accounts with a first backup of each, and an empty third to migrate into; then serves until Ctrl+C',
    )
    .option('--json', 'print one JSON line {url, dashboard, sandboxUrl, selfhostedSandboxUrl, vaultKeyFile?, admin, accounts, schedule} once ready and nothing else on stdout, then serve')
    .action((options: DemoOptions) => runDemo(options));
}

async function runDemo(options: DemoOptions): Promise<void> {
  const config = loadConfig(process.env);
  const sandboxPort = demoSandboxPort(process.env);
  const say = (line: string) => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };

  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) {
      process.stderr.write('syncvault: stopped without waiting for the clean shutdown\n');
      process.exit(1);
    }
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const checkpoint = () => {
    if (stop.signal.aborted) throw new DemoStopped();
  };

  const closers: Array<() => Promise<void>> = [];
  try {
    say(`Syncvault demo: PostgreSQL ${databaseLocation(config.databaseUrl)}, Redis ${new URL(config.redisUrl).host}`);
    await checkDemoPrerequisites(config);
    checkpoint();
    const key = loadVaultKey({ masterKey: config.masterKey, keyFile: config.masterKeyFile, demoKeyFile: demoKeyFile(config) });
    say(`  vault key  ${describeVaultKey(key)}`);

    // Loaded here, not at the top: Nest takes seconds to load, and other commands need none of it.
    const app = await import('../app/index.js');
    const sandbox: RunningSandbox = await startSandbox({ port: sandboxPort, seed: 'demo' });
    closers.push(() => sandbox.close());
    say(`  sandbox    ${new URL(sandbox.urls.fxa).origin} (stands in for Mozilla's servers, in memory) with two demo accounts`);
    // Self-hosters run syncstorage-rs with Mozilla's accounts: its tokenserver trusts the first sandbox's.
    const selfhosted: RunningSandbox = await startSandbox({
      accountsServer: sandbox.urls.fxa,
      pathPrefix: DEMO_SELFHOSTED_PATH_PREFIX,
      port: selfhostedSandboxPort(sandboxPort),
    });
    closers.push(() => selfhosted.close());
    const selfhostedSandboxUrl = `${new URL(selfhosted.urls.fxa).origin}${DEMO_SELFHOSTED_PATH_PREFIX}`;
    say(`             ${selfhostedSandboxUrl} (stands in for a self-hosted syncstorage-rs, empty) to migrate into`);
    checkpoint();

    const logger = app.createLogger(config);
    // The demo tells its own story; the daemon's routine lines would drown it. NEST_LOG_LEVEL overrides.
    const quietLogs = (process.env['NEST_LOG_LEVEL'] ?? '') === '';
    const serviceLevels: LogLevel[] = options.json ? ['fatal', 'error'] : ['fatal', 'error', 'warn'];
    if (quietLogs) logger.setLogLevels(serviceLevels);
    let createdAdmin: AdminCredentials | undefined;
    const daemon: NestFastifyApplication = await app.createSyncvaultApp(config, {
      demoKeyFile: demoKeyFile(config),
      adminPassword: adminPasswordFromEnv(),
      onAdminCreated: (admin) => (createdAdmin = admin),
      logger,
    });
    closers.push(() => daemon.close());
    await listen(daemon, config);
    const url = app.syncvaultUrl(daemon, config);
    say(`  daemon     API and workers at ${url}`);
    checkpoint();

    const dashboard = await startDemoDashboard({ apiUrl: url, host: config.host, port: dashboardPort(), signal: stop.signal });
    if ('url' in dashboard) closers.push(dashboard.close);
    say(`  dashboard  ${'url' in dashboard ? dashboard.url : dashboard.missing}`);
    checkpoint();

    const accounts = await addAccountsAndBackUp(daemon, config, sandbox, selfhosted, stop.signal, options.json ? undefined : say);
    const summary: DemoSummary = {
      url,
      dashboard: 'url' in dashboard ? { url: dashboard.url } : { missing: dashboard.missing },
      sandboxUrl: new URL(sandbox.urls.fxa).origin,
      selfhostedSandboxUrl,
      ...(key.source === 'demo-key-file' && key.path !== undefined && { vaultKeyFile: key.path }),
      admin: await demoAdmin(daemon, createdAdmin),
      accounts,
      schedule: { pattern: DEMO_SCHEDULE, description: DEMO_SCHEDULE_TEXT },
    };
    if (options.json) printJson(summary);
    else process.stdout.write(demoSummaryText(summary));
    // From here on it is a running daemon: its scheduled backups are worth a line each.
    if (quietLogs && !options.json) logger.setLogLevels([...serviceLevels, 'log']);

    await new Promise<void>((resolve) => (stop.signal.aborted ? resolve() : stop.signal.addEventListener('abort', () => resolve(), { once: true })));
    say('Stopping the demo...');
  } catch (error) {
    if (!(error instanceof DemoStopped) && !stop.signal.aborted) throw error;
    say('Stopped before the demo was ready.');
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  setTimeout(() => process.exit(0), EXIT_GRACE_MS).unref();
}

/** SYNCVAULT_DASHBOARD_PORT (0 = any free port), default 3000 as in docker-compose.yml. */
function dashboardPort(): number {
  const value = process.env['SYNCVAULT_DASHBOARD_PORT']?.trim() || '3000';
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new Error('SYNCVAULT_DASHBOARD_PORT must be a port number (0 = any free one)');
  return Number(value);
}

async function listen(daemon: NestFastifyApplication, config: SyncvaultConfig): Promise<void> {
  try {
    await daemon.listen(config.port, config.host);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EADDRINUSE') {
      throw new Error(`port ${config.port} on ${config.host} is in use (another syncvault serve or demo?): stop it, or set SYNCVAULT_PORT (0: any free port)`, { cause: error });
    }
    throw error;
  }
}

/**
 * Adds (or replaces) the demo accounts, backs each up through the job queue with progress, then
 * schedules them; all but the migration target, which stays empty and unscheduled.
 */
async function addAccountsAndBackUp(
  daemon: NestFastifyApplication,
  config: SyncvaultConfig,
  sandbox: RunningSandbox,
  selfhosted: RunningSandbox,
  signal: AbortSignal,
  /** Undefined with --json: no story, no progress. */
  say: ((line: string) => void) | undefined,
): Promise<DemoAccountSummary[]> {
  // BullMQ loads only for the commands that queue jobs.
  const [{ SchedulesService }, { runBackup }, { createEngineBindings }] = await Promise.all([
    import('../jobs/schedules.js'),
    import('../jobs/run-backup.js'),
    import('../jobs/engine-bindings.js'),
  ]);
  const prisma = daemon.get<PrismaClient>(PRISMA);
  const vault = daemon.get<Vault>(VAULT);
  const keyCustody = daemon.get<KeyCustody>(KEY_CUSTODY);
  const schedules = daemon.get(SchedulesService);
  // Like the API: every saved change of an account is mirrored into its BullMQ job scheduler.
  const service = new AccountService({ prisma, vault, keyCustody, onChange: (change) => schedules.sync(change.account.id) });
  try {
    const added = await ensureDemoAccounts(service, prisma, sandbox, selfhosted);
    const replaced = added.filter((account) => account.replaced).map((account) => account.view.name);
    say?.(`  accounts   ${added.map(({ view }) => `${view.name} (${view.kind})`).join(', ')}`);
    if (replaced.length > 0) say?.(`             replaced the earlier demo's ${listText(replaced)}: their sandbox is gone, and with it what their snapshots were of`);
    say?.('Backing up (through the job queue, as the daemon does):');

    const summaries: DemoAccountSummary[] = [];
    for (const { view, role } of added) {
      if (signal.aborted) throw new DemoStopped();
      if (role === 'migration-target') {
        summaries.push({ name: view.name, kind: view.kind, email: view.email, role });
        continue;
      }
      const progress = say === undefined ? undefined : backupProgressDisplay(view.name, process.stdout);
      let outcome: Awaited<ReturnType<typeof runBackup>>;
      try {
        outcome = await runBackup({
          config,
          prisma,
          account: view.id,
          trigger: 'demo',
          wait: true,
          engine: () => createEngineBindings({ config, prisma, vault, keyCustody }),
          onProgress: (report) => progress?.update(report),
          signal,
        });
      } finally {
        progress?.stop();
      }
      const snapshot = snapshotDigest(outcome.job?.result as SnapshotSummaryJson);
      const records = Object.values(snapshot.collections).reduce((sum, collection) => sum + collection.count, 0);
      say?.(`  ${view.name}: snapshot ${snapshot.seq} ${snapshot.status}, ${Object.keys(snapshot.collections).length} collections, ${records} records`);
      const scheduled = await service.updateSettings(view.id, { schedule: DEMO_SCHEDULE });
      summaries.push({ name: scheduled.name, kind: scheduled.kind, email: scheduled.email, role, snapshot });
    }
    return summaries;
  } finally {
    service.close();
  }
}

async function demoAdmin(daemon: NestFastifyApplication, created: AdminCredentials | undefined): Promise<DemoAdmin> {
  if (created !== undefined) {
    return created.generated ? { username: created.username, password: created.password, passwordSource: 'generated' } : { username: created.username, passwordSource: 'environment' };
  }
  const admin = await daemon.get<PrismaClient>(PRISMA).adminUser.findFirst({ orderBy: { createdAt: 'asc' }, select: { username: true } });
  return { username: admin?.username ?? ADMIN_USERNAME, passwordSource: 'earlier' };
}
