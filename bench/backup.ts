/**
 * The backup engine against a sandbox seeded like a heavy user (50k history, 5k bookmarks, 500
 * logins and the rest), one run: full backup throughput against a bare download of the same
 * pages, the cost of a backup when nothing changed and when 1% changed, what each snapshot adds
 * to the store, and the worker's peak RSS.
 *
 * Downloads and backups run in child processes (this file again, as a worker) so that the
 * sandbox's work does not count as the worker's and both sides of the ratio get the same process
 * layout. The full backup runs in a fresh worker (its peak RSS is the worker's); the no-change
 * and 1%-change backups run one after another in a second worker, warm, as a long-lived worker
 * would run them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BackupEngine, SyncTraffic, type BackupStats } from '@syncvault/daemon/backup';
import { createPrismaClient, type PrismaClient } from '@syncvault/daemon/store';
import { connectFxaAccount, type SyncConnection } from '@syncvault/daemon/sync';
import { KeyCustody, Vault } from '@syncvault/daemon/vault';
import { createBenchDatabase } from './support/database.js';
import { benchAccount } from './support/sandbox-account.js';
import { formatRate, median, timed } from './support/stats.js';
import { runWorker, workerOrDriver } from './support/worker.js';

const WORKER_ENV = 'SYNCVAULT_BENCH_BACKUP_WORKER';
const HISTORY = Number(process.env['BENCH_HISTORY'] ?? 50_000);
const SEED = { history: HISTORY, bookmarks: 5000, passwords: 500, forms: 1000, tabs: 3, clients: 4, addons: 20, addresses: 5, creditcards: 3, prefs: true };
const PAGE = 1000;
const DOWNLOAD_ROUNDS = 3;
const NO_CHANGE_ROUNDS = 3;
const BOOKMARK_ROOTS = new Set(['places', 'menu', 'toolbar', 'unfiled', 'mobile']);

interface WorkerInput {
  mode: 'download' | 'full' | 'incremental';
  databaseUrl: string;
  vaultKeyHex: string;
  accountId: string;
  fxaUrl: string;
  tokenServerUrl: string;
  controlUrl: string;
  email: string;
  credentials: { kBHex: string; keysChangedAt: number; refreshToken: string; accessToken: string; expiresAt: number };
}

/** One timed operation of a worker. */
interface Measured {
  ms: number;
  requests: number;
  storeBytes: number;
  stats?: BackupStats;
}

interface WorkerResult {
  download?: Measured & { records: number };
  full?: Measured;
  noChange?: Measured[];
  onePercent?: Measured & { changed: number };
  maxRssKb: number;
}

// ---------------------------------------------------------------------------------------------
// Worker side
// ---------------------------------------------------------------------------------------------

/** Bytes of the store's tables, indexes and TOAST included. */
async function storeBytes(prisma: PrismaClient): Promise<number> {
  const [row] = await prisma.$queryRaw<Array<{ bytes: bigint }>>`
    SELECT sum(pg_total_relation_size(relation))::bigint AS bytes
    FROM unnest(ARRAY['"Blob"', '"RecordVersion"', '"Snapshot"', '"HealthAlert"', '"KeyBundle"']::regclass[]) AS relation`;
  return Number(row?.bytes ?? 0);
}

async function download(connection: SyncConnection): Promise<number> {
  let records = 0;
  for (const collection of Object.keys(await connection.storage.infoCollections())) {
    for await (const page of connection.storage.readRecords(collection, { limit: PAGE })) records += page.length;
  }
  return records;
}

/** Another client edits ~1% of the records (mostly history, as in real use). */
async function changeOnePercent(input: WorkerInput, total: number): Promise<number> {
  const target = Math.round(total / 100);
  const shares: Array<[string, number]> = [['history', 0.88], ['bookmarks', 0.09], ['passwords', 0.01], ['forms', 0.02]];
  const account = `${input.controlUrl}/accounts/${encodeURIComponent(input.email)}`;
  let changed = 0;
  for (const [collection, share] of shares) {
    const records = (await (await fetch(`${account}/records/${collection}`)).json()) as Array<{ id: string; cleartext: Record<string, unknown> | null }>;
    const upsert = records
      .filter((record) => record.cleartext !== null && record.cleartext['deleted'] !== true && !BOOKMARK_ROOTS.has(record.id))
      .slice(0, Math.max(1, Math.round(target * share)))
      .map((record) => ({ ...record.cleartext, title: `edited ${record.id}` }));
    const write = await fetch(`${account}/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ collection, upsert }) });
    if (!write.ok) throw new Error(`writing ${collection} failed: ${write.status} ${await write.text()}`);
    changed += upsert.length;
  }
  return changed;
}

async function worker(input: WorkerInput): Promise<WorkerResult> {
  const traffic = new SyncTraffic();
  const { credentials } = input;
  const connection = connectFxaAccount({
    authServerUrl: input.fxaUrl,
    tokenServerUrl: input.tokenServerUrl,
    credentials: { ...credentials, kB: Buffer.from(credentials.kBHex, 'hex') },
    ...traffic.connectionOptions(),
  });
  // The token exchange happens once per worker whatever it does; keep it out of the timings.
  await connection.storage.infoCollections();
  if (input.mode === 'download') {
    const before = traffic.counts().requests;
    const { result, ms } = await timed(() => download(connection));
    return { download: { ms, records: result, requests: traffic.counts().requests - before, storeBytes: 0 }, maxRssKb: process.resourceUsage().maxRSS };
  }

  const prisma = createPrismaClient(input.databaseUrl);
  try {
    const engine = new BackupEngine({
      prisma,
      databaseUrl: input.databaseUrl,
      keyCustody: new KeyCustody(prisma, new Vault(Buffer.from(input.vaultKeyHex, 'hex'))),
      pageSize: PAGE,
    });
    await prisma.$queryRaw`SELECT 1`;
    const backup = async (): Promise<Measured> => {
      const bytesBefore = await storeBytes(prisma);
      const requestsBefore = traffic.counts().requests;
      const { result, ms } = await timed(() => engine.run({ accountId: input.accountId, trigger: 'manual', connection, traffic }));
      const snapshot = await prisma.snapshot.findUniqueOrThrow({ where: { accountId_seq: { accountId: input.accountId, seq: result.seq } } });
      return { ms, requests: traffic.counts().requests - requestsBefore, storeBytes: (await storeBytes(prisma)) - bytesBefore, stats: snapshot.stats as unknown as BackupStats };
    };
    if (input.mode === 'full') return { full: await backup(), maxRssKb: process.resourceUsage().maxRSS };

    const noChange: Measured[] = [];
    for (let round = 0; round < NO_CHANGE_ROUNDS; round++) noChange.push(await backup());
    const total = Object.values(await connection.storage.collectionCounts()).reduce((sum, count) => sum + count, 0);
    const changed = await changeOnePercent(input, total);
    return { noChange, onePercent: { ...(await backup()), changed }, maxRssKb: process.resourceUsage().maxRSS };
  } finally {
    await prisma.$disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// Driver side
// ---------------------------------------------------------------------------------------------

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`;
}

function check(condition: boolean, problem: string): void {
  if (!condition) throw new Error(`bench/backup: ${problem}`);
}

async function main(): Promise<void> {
  const { sandbox, credentials } = await benchAccount(SEED);
  const database = await createBenchDatabase();
  const prisma = createPrismaClient(database.url);
  try {
    const vaultKey = randomBytes(32);
    const accountId = randomUUID();
    await prisma.account.create({
      data: { id: accountId, name: 'bench', kind: 'selfhosted15', email: credentials.email, sealedSecrets: new Uint8Array(new Vault(vaultKey).sealJson({}, `account:${accountId}:secrets`)) },
    });
    const input: WorkerInput = {
      mode: 'download',
      databaseUrl: database.url,
      vaultKeyHex: vaultKey.toString('hex'),
      accountId,
      fxaUrl: sandbox.urls.fxa,
      tokenServerUrl: sandbox.urls.tokenServer,
      controlUrl: sandbox.urls.control,
      email: credentials.email,
      credentials: {
        kBHex: credentials.kB.toString('hex'),
        keysChangedAt: credentials.keysChangedAt,
        refreshToken: credentials.refreshToken,
        accessToken: credentials.accessToken,
        expiresAt: credentials.expiresAt,
      },
    };

    const downloads: Array<NonNullable<WorkerResult['download']>> = [];
    let downloadRss = 0;
    for (let round = 0; round < DOWNLOAD_ROUNDS; round++) {
      const result = await runWorker<WorkerResult>(import.meta.url, WORKER_ENV, input);
      if (result.download !== undefined) downloads.push(result.download);
      downloadRss = Math.max(downloadRss, result.maxRssKb);
    }
    const downloadMs = median(downloads.map((result) => result.ms));
    const records = downloads[0]?.records ?? 0;

    const fullRun = await runWorker<WorkerResult>(import.meta.url, WORKER_ENV, { ...input, mode: 'full' });
    const full = fullRun.full;
    check(full?.stats?.versionsAdded === records, `the full backup added ${full?.stats?.versionsAdded} versions for ${records} records`);
    const incremental = await runWorker<WorkerResult>(import.meta.url, WORKER_ENV, { ...input, mode: 'incremental' });
    const noChange = incremental.noChange ?? [];
    const onePercent = incremental.onePercent;
    check(noChange.every((run) => run.stats?.versionsAdded === 0), 'a no-change backup added versions');
    check(onePercent?.stats?.versionsAdded === onePercent?.changed, `the 1% backup added ${onePercent?.stats?.versionsAdded} versions for ${onePercent?.changed} changed records`);
    if (full === undefined || onePercent === undefined) return;

    const noChangeMs = median(noChange.map((run) => run.ms));
    const line = (label: string, text: string): void => console.log(`  ${label.padEnd(46)}${text}`);
    console.log(`bench/backup: ${records.toLocaleString('en-US')} records (${HISTORY.toLocaleString('en-US')} history, 5,000 bookmarks, 500 logins, ...), pages of ${PAGE}, workers in child processes`);
    line(`bare download of every page (median of ${DOWNLOAD_ROUNDS})`, `${downloadMs.toFixed(0)} ms  ${formatRate(records, downloadMs)}  ${downloads[0]?.requests} requests`);
    line('full backup', `${full.ms.toFixed(0)} ms  ${formatRate(records, full.ms)}  ${full.requests} requests`);
    line('full backup / bare download throughput', (downloadMs / full.ms).toFixed(2));
    line(`no-change backup (median of ${NO_CHANGE_ROUNDS})`, `${noChangeMs.toFixed(0)} ms  ${noChange[0]?.requests} requests  ${noChange[0]?.stats?.recordsFetched} records fetched`);
    line(`1% change backup (${onePercent.changed} records)`, `${onePercent.ms.toFixed(0)} ms  ${onePercent.requests} requests  ${onePercent.stats?.versionsAdded} versions added`);
    line('store bytes added per snapshot', `full ${kib(full.storeBytes)}, no-change ${kib(median(noChange.map((run) => run.storeBytes)))}, 1% change ${kib(onePercent.storeBytes)}`);
    line('peak RSS of the worker', `full backup ${kib(fullRun.maxRssKb * 1024)}, incremental ${kib(incremental.maxRssKb * 1024)}, bare download ${kib(downloadRss * 1024)}`);
  } finally {
    await prisma.$disconnect();
    await sandbox.close();
    await database.drop();
  }
}

await workerOrDriver(WORKER_ENV, worker, main);
