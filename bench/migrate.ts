/**
 * Migration throughput, one run. An FxA account on a "mozilla" sandbox holds N records (history,
 * bookmarks, passwords, forms) and is backed up into a scratch database. A "selfhosted" sandbox's
 * tokenserver trusts mozilla's accounts, as in test/migrate: the same account starts empty there.
 * Then, each in a fresh child process (so its peak RSS is its own):
 *
 * - `MigrationService.run` copies the snapshot into the account's self-hosted storage, timed
 *   whole (planning, upload, read-back verification), with the time of each phase;
 * - the baseline uploads the same payloads (same sortindex and ttl) with the same batch sizes,
 *   `Storage15Client.uploadRecords` per collection, into another empty account there; the payloads
 *   are read from the store before the clock starts, so it measures the upload alone.
 *
 * Both targets are then read raw through the self-hosted sandbox's control API to check that they
 * hold what the snapshot holds. Figures are printed, not asserted.
 */
import { randomBytes } from 'node:crypto';
import { startSandbox } from '@syncvault/sandbox';
import { AccountService, type AddAccountStep, type OpenConnectionOptions } from '@syncvault/daemon/accounts';
import { BackupEngine } from '@syncvault/daemon/backup';
import { MigrationService, type MigrationPhase } from '@syncvault/daemon/migrate';
import { createPrismaClient, SnapshotRepository, type PrismaClient } from '@syncvault/daemon/store';
import { HttpTransport, remainingTtlSeconds, resolveTarget, type HttpRequest, type HttpResponse, type OutgoingBso } from '@syncvault/daemon/sync';
import { KeyCustody, Vault } from '@syncvault/daemon/vault';
import { createBenchDatabase } from './support/database.js';
import { benchAccount, createBenchFxaAccount } from './support/sandbox-account.js';
import { formatRate, timed } from './support/stats.js';
import { runWorker, workerOrDriver } from './support/worker.js';

const WORKER_ENV = 'SYNCVAULT_BENCH_MIGRATE_WORKER';
const RECORDS = Number(process.env['BENCH_MIGRATE_RECORDS'] ?? 20_000);
/** How the records spread over the collections (history dominates, as in real profiles). */
const SHARES = { history: 0.7, bookmarks: 0.15, forms: 0.1, passwords: 0.05 } as const;
const SEED = Object.fromEntries(Object.entries(SHARES).map(([collection, share]) => [collection, Math.round(RECORDS * share)]));
/** What the engine writes first, with a PUT each; the baseline does the same. */
const FIRST = [
  ['crypto', 'keys'],
  ['meta', 'global'],
] as const;
/** The store pages at most this many records; the engine reads the snapshot in such pages. */
const STORE_PAGE = 10_000;

interface WorkerInput {
  mode: 'migrate' | 'bare';
  databaseUrl: string;
  vaultKeyHex: string;
  sourceId: string;
  /** The migration's target, or the baseline's. */
  targetId: string;
  seq: number;
}

interface WireCounts {
  requests: number;
  posts: number;
  /** POSTs with commit=true: one per atomic batch. */
  batches: number;
  puts: number;
}

interface WorkerResult {
  ms: number;
  records: number;
  wire: WireCounts;
  /** Migration only: ms spent in each phase. */
  phases?: Partial<Record<MigrationPhase, number>>;
  maxRssKb: number;
}

// ---------------------------------------------------------------------------------------------
// Worker side
// ---------------------------------------------------------------------------------------------

/** Counts storage requests on their way through `inner` (or a plain transport). */
class CountingTransport extends HttpTransport {
  constructor(
    private readonly counts: WireCounts,
    private readonly inner: HttpTransport | undefined,
  ) {
    super();
  }

  override async send(request: HttpRequest): Promise<HttpResponse> {
    this.counts.requests += 1;
    if (request.method === 'PUT') this.counts.puts += 1;
    if (request.method === 'POST') {
      this.counts.posts += 1;
      if (/[?&]commit=true(&|$)/.test(resolveTarget(request.url, request.rawPath).path)) this.counts.batches += 1;
    }
    return this.inner === undefined ? super.send(request) : this.inner.send(request);
  }
}

function emptyCounts(): WireCounts {
  return { requests: 0, posts: 0, batches: 0, puts: 0 };
}

/** Every record of the snapshot as the engine would send it now: crypto/keys and meta/global first. */
async function snapshotUploads(prisma: PrismaClient, accountId: string, seq: number): Promise<Array<{ collection: string; records: OutgoingBso[] }>> {
  const repository = new SnapshotRepository(prisma);
  const collections = Object.keys(await repository.visibleCounts(accountId, seq)).filter((name) => !FIRST.some(([first]) => first === name));
  const uploads: Array<{ collection: string; records: OutgoingBso[] }> = [];
  for (const [collection, id] of FIRST) {
    const record = await repository.visibleVersion(accountId, seq, collection, id);
    if (record === null) throw new Error(`the snapshot has no ${collection}/${id}`);
    uploads.push({ collection, records: [{ id, payload: record.payload }] });
  }
  const nowMs = Date.now();
  for (const collection of collections) {
    const records: OutgoingBso[] = [];
    for (let offset = 0; ; offset += STORE_PAGE) {
      const page = await repository.visibleVersions(accountId, seq, collection, { offset, limit: STORE_PAGE });
      for (const version of page) {
        const ttl = remainingTtlSeconds(collection, version.modified, nowMs);
        if (ttl !== null && ttl <= 0) continue;
        records.push({ id: version.bsoId, payload: version.payload, ...(version.sortindex !== null && { sortindex: version.sortindex }), ...(ttl !== null && { ttl }) });
      }
      if (page.length < STORE_PAGE) break;
    }
    uploads.push({ collection, records });
  }
  return uploads;
}

async function bareUpload(accounts: AccountService, prisma: PrismaClient, input: WorkerInput): Promise<WorkerResult> {
  const uploads = await snapshotUploads(prisma, input.sourceId, input.seq);
  const wire = emptyCounts();
  const connection = await accounts.openConnection(input.targetId, { transport: new CountingTransport(wire, undefined) });
  // The token exchange and info/configuration happen once per client whatever it uploads; keep them out of the timing.
  await connection.storage.infoCollections();
  await connection.storage.configuration();
  Object.assign(wire, emptyCounts());
  const { result: records, ms } = await timed(async () => {
    let sent = 0;
    for (const { collection, records } of uploads) {
      if (FIRST.some(([first]) => first === collection)) {
        for (const record of records) await connection.storage.putRecord(collection, record);
      } else {
        const result = await connection.storage.uploadRecords(collection, records);
        if (Object.keys(result.failed).length > 0) throw new Error(`the baseline's ${collection} upload failed for ${Object.keys(result.failed).length} records`);
      }
      sent += records.length;
    }
    return sent;
  });
  return { ms, records, wire, maxRssKb: process.resourceUsage().maxRSS };
}

async function migrate(accounts: AccountService, prisma: PrismaClient, keyCustody: KeyCustody, vault: Vault, input: WorkerInput): Promise<WorkerResult> {
  const wire = emptyCounts();
  const service = new MigrationService({
    prisma,
    databaseUrl: input.databaseUrl,
    accounts: {
      get: (nameOrId: string) => accounts.get(nameOrId),
      openConnection: (nameOrId: string, options: OpenConnectionOptions = {}) => accounts.openConnection(nameOrId, { ...options, transport: new CountingTransport(wire, options.transport) }),
    },
    keyCustody,
    vault,
    backup: new BackupEngine({ prisma, databaseUrl: input.databaseUrl, keyCustody }),
  });
  const phases: Partial<Record<MigrationPhase, number>> = {};
  let phase: MigrationPhase | undefined;
  let phaseStarted = 0;
  const { result, ms } = await timed(() =>
    service.run(
      { source: input.sourceId, target: input.targetId, fromSnapshot: input.seq },
      {
        onProgress: (progress) => {
          if (progress.phase === phase) return;
          const now = performance.now();
          if (phase !== undefined) phases[phase] = (phases[phase] ?? 0) + now - phaseStarted;
          phase = progress.phase;
          phaseStarted = now;
        },
      },
    ),
  );
  const records = Object.values(result.uploaded).reduce((sum, count) => sum + count, 0) + FIRST.length;
  return { ms, records, wire, phases, maxRssKb: process.resourceUsage().maxRSS };
}

async function worker(input: WorkerInput): Promise<WorkerResult> {
  const prisma = createPrismaClient(input.databaseUrl);
  const vault = new Vault(Buffer.from(input.vaultKeyHex, 'hex'));
  const keyCustody = new KeyCustody(prisma, vault);
  const accounts = new AccountService({ prisma, vault, keyCustody });
  try {
    await prisma.$queryRaw`SELECT 1`;
    return input.mode === 'bare' ? await bareUpload(accounts, prisma, input) : await migrate(accounts, prisma, keyCustody, vault, input);
  } finally {
    accounts.close();
    await prisma.$disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// Driver side
// ---------------------------------------------------------------------------------------------

function doneAccountId(step: AddAccountStep): string {
  if (step.status !== 'done') throw new Error(`adding a bench account stopped at ${step.status}`);
  return step.account.id;
}

async function control<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

function check(condition: boolean, problem: string): void {
  if (!condition) throw new Error(`bench/migrate: ${problem}`);
}

function kib(kilobytes: number): string {
  return `${Math.round(kilobytes).toLocaleString('en-US')} KiB`;
}

async function main(): Promise<void> {
  if (!Number.isSafeInteger(RECORDS) || RECORDS < 20) throw new Error('BENCH_MIGRATE_RECORDS must be a whole number of at least 20');
  // As test/migrate's world: "mozilla" holds the account, "selfhosted" trusts its accounts server.
  const { sandbox: mozilla, email, password, credentials } = await benchAccount(SEED);
  const selfhosted = await startSandbox({ port: 0, seed: 'none', accountsServer: mozilla.urls.fxa });
  const bareEmail = 'bench-baseline@syncvault.test';
  await createBenchFxaAccount(mozilla, bareEmail, password, 'none');
  const database = await createBenchDatabase();
  const prisma = createPrismaClient(database.url);
  const vaultKey = randomBytes(32);
  const vault = new Vault(vaultKey);
  const keyCustody = new KeyCustody(prisma, vault);
  const accounts = new AccountService({ prisma, vault, keyCustody });
  try {
    const add = (name: string, accountEmail: string, tokenServerUrl: string) =>
      accounts.beginAdd({ name, kind: 'selfhosted15', email: accountEmail, password, fxaUrl: mozilla.urls.fxa, tokenServerUrl }).then(doneAccountId);
    const sourceId = await add('source', email, mozilla.urls.tokenServer);
    const targetId = await add('target', email, selfhosted.urls.tokenServer);
    const bareId = await add('baseline', bareEmail, selfhosted.urls.tokenServer);
    const snapshot = await new BackupEngine({ prisma, databaseUrl: database.url, keyCustody }).run({ accountId: sourceId, trigger: 'manual', connection: await accounts.openConnection(sourceId) });
    const expected = await new SnapshotRepository(prisma).visibleCounts(sourceId, snapshot.seq);
    const total = Object.values(expected).reduce((sum, count) => sum + count, 0);

    const common = { databaseUrl: database.url, vaultKeyHex: vaultKey.toString('hex'), sourceId, seq: snapshot.seq };
    const bareInput: WorkerInput = { ...common, mode: 'bare', targetId: bareId };
    const migrationInput: WorkerInput = { ...common, mode: 'migrate', targetId };
    const bare = await runWorker<WorkerResult>(import.meta.url, WORKER_ENV, bareInput);
    const migration = await runWorker<WorkerResult>(import.meta.url, WORKER_ENV, migrationInput);

    // What the self-hosted node's operator sees: both targets hold exactly what the snapshot holds.
    const bareUid = (await control<{ uid: string }>(`${mozilla.urls.control}/accounts/${encodeURIComponent(bareEmail)}`)).uid;
    for (const [label, uid] of [['migration target', credentials.uid], ['baseline target', bareUid]] as const) {
      const held = await control<Record<string, number>>(`${selfhosted.urls.control}/storage-users/${uid}/collections`);
      check(JSON.stringify(Object.entries(held).sort()) === JSON.stringify(Object.entries(expected).sort()), `the ${label} holds ${JSON.stringify(held)}, the snapshot ${JSON.stringify(expected)}`);
    }
    check(migration.records === total && bare.records === total, `uploaded ${migration.records} (migration) and ${bare.records} (baseline) of ${total} records`);

    const line = (label: string, text: string): void => console.log(`  ${label.padEnd(44)}${text}`);
    const wire = (counts: WireCounts) => `${counts.batches} batches, ${counts.posts} POSTs, ${counts.puts} PUTs, ${counts.requests} requests in all`;
    const phases = Object.entries(migration.phases ?? {}).map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`).join(', ');
    const counts = Object.entries(expected).sort(([, x], [, y]) => y - x).map(([name, count]) => `${count.toLocaleString('en-US')} ${name}`).join(', ');
    console.log(`bench/migrate: ${total.toLocaleString('en-US')} records (${counts}) from a snapshot into an empty account on a second sandbox, workers in child processes`);
    line('bare upload (uploadRecords per collection)', `${bare.ms.toFixed(0)} ms  ${formatRate(total, bare.ms)}  ${wire(bare.wire)}`);
    line('MigrationService.run', `${migration.ms.toFixed(0)} ms  ${formatRate(total, migration.ms)}  ${wire(migration.wire)}`);
    line('  of which', phases);
    line('migration / bare upload throughput', (bare.ms / migration.ms).toFixed(2));
    line('peak RSS of the worker', `migration ${kib(migration.maxRssKb)}, bare upload ${kib(bare.maxRssKb)} (holds every payload at once)`);
  } finally {
    accounts.close();
    await prisma.$disconnect();
    await selfhosted.close();
    await mozilla.close();
    await database.drop();
  }
}

await workerOrDriver(WORKER_ENV, worker, main);
