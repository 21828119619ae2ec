/**
 * Diff between two snapshots of ~100k records with 1% changed, one run: a sandbox seeded like a
 * heavy user is backed up, another client edits, tombstones, deletes and adds 1% of the records,
 * and it is backed up again. Then, each in a fresh child process (so its peak RSS is its own):
 * the diff engine (record level and semantic view), against a baseline that decrypts both
 * snapshots in full and compares them record by record; a diff of the newest snapshot against
 * the live server; and a find across the snapshots. Figures are printed, not asserted.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BackupEngine } from '@syncvault/daemon/backup';
import { DiffEngine } from '@syncvault/daemon/diff';
import { SnapshotReader } from '@syncvault/daemon/history';
import { createPrismaClient, SnapshotRepository } from '@syncvault/daemon/store';
import { connectFxaAccount } from '@syncvault/daemon/sync';
import { KeyCustody, Vault } from '@syncvault/daemon/vault';
import { createBenchDatabase } from './support/database.js';
import { benchAccount } from './support/sandbox-account.js';
import { formatRate, median, timed } from './support/stats.js';
import { runWorker, workerOrDriver } from './support/worker.js';

const WORKER_ENV = 'SYNCVAULT_BENCH_DIFF_WORKER';
const HISTORY = Number(process.env['BENCH_DIFF_HISTORY'] ?? 86_000);
const SEED = { history: HISTORY, bookmarks: 10_000, passwords: 1000, forms: 3000, tabs: 3, clients: 4, addons: 20, addresses: 5, creditcards: 3, prefs: true };
const DIFF_ROUNDS = 3;
/** Records per store read in the baseline. */
const PAGE = 5000;
const BOOKMARK_ROOTS = new Set(['places', 'menu', 'toolbar', 'unfiled', 'mobile']);
/** Share of the changes per collection (mostly history, as in real use). */
const CHANGE_SHARES: Array<[string, number]> = [['history', 0.85], ['bookmarks', 0.1], ['passwords', 0.02], ['forms', 0.03]];

interface WorkerInput {
  mode: 'diff' | 'baseline' | 'live' | 'find';
  databaseUrl: string;
  vaultKeyHex: string;
  accountId: string;
  fxaUrl: string;
  tokenServerUrl: string;
  credentials: { kBHex: string; keysChangedAt: number; refreshToken: string; accessToken: string; expiresAt: number };
  findText: string;
}

interface WorkerResult {
  ms: number[];
  decrypted: number;
  compared?: number;
  changed: number;
  liveRead?: number;
  found?: number;
  maxRssKb: number;
}

// ---------------------------------------------------------------------------------------------
// Worker side
// ---------------------------------------------------------------------------------------------

async function worker(input: WorkerInput): Promise<WorkerResult> {
  const prisma = createPrismaClient(input.databaseUrl);
  const keyCustody = new KeyCustody(prisma, new Vault(Buffer.from(input.vaultKeyHex, 'hex')));
  try {
    await prisma.$queryRaw`SELECT 1`;
    if (input.mode === 'baseline') {
      const { result, ms } = await timed(() => decryptEverythingAndCompare(new SnapshotReader({ prisma, keyCustody }), new SnapshotRepository(prisma), input.accountId));
      return { ms: [ms], ...result, maxRssKb: process.resourceUsage().maxRSS };
    }
    const { credentials } = input;
    const connection = connectFxaAccount({
      authServerUrl: input.fxaUrl,
      tokenServerUrl: input.tokenServerUrl,
      credentials: { ...credentials, kB: Buffer.from(credentials.kBHex, 'hex') },
    });
    const engine = new DiffEngine({ prisma, keyCustody, openConnection: async () => connection });
    if (input.mode === 'find') {
      const { result, ms } = await timed(() => engine.findAcrossSnapshots(input.accountId, input.findText));
      return { ms: [ms], decrypted: result.versionsDecrypted, changed: 0, found: result.total, maxRssKb: process.resourceUsage().maxRSS };
    }
    if (input.mode === 'live') {
      // The token exchange happens once per connection whatever it does; keep it out of the timing.
      await connection.storage.infoCollections();
      const { result, ms } = await timed(() => engine.diffSnapshots(input.accountId, 2, 'live'));
      return { ms: [ms], decrypted: result.stats.decrypted, changed: changedIn(result.collections), liveRead: result.stats.liveRecordsRead ?? 0, maxRssKb: process.resourceUsage().maxRSS };
    }
    const times: number[] = [];
    let last: Awaited<ReturnType<DiffEngine['diffSnapshots']>> | undefined;
    for (let round = 0; round < DIFF_ROUNDS; round++) {
      const { result, ms } = await timed(() => engine.diffSnapshots(input.accountId, 1, 2));
      times.push(ms);
      last = result;
    }
    return { ms: times, decrypted: last?.stats.decrypted ?? 0, compared: last?.stats.versionsCompared ?? 0, changed: changedIn(last?.collections ?? {}), maxRssKb: process.resourceUsage().maxRSS };
  } finally {
    await prisma.$disconnect();
  }
}

function changedIn(collections: Record<string, { added: string[]; removed: string[]; changed: string[]; tombstoned: string[] }>): number {
  return Object.values(collections).reduce((sum, changes) => sum + changes.added.length + changes.removed.length + changes.changed.length + changes.tombstoned.length, 0);
}

/**
 * What a diff would cost without looking at record versions: every record of both snapshots read
 * and decrypted (secrets unmasked, as the diff sees them), compared by cleartext.
 */
async function decryptEverythingAndCompare(reader: SnapshotReader, repository: SnapshotRepository, accountId: string): Promise<{ decrypted: number; changed: number }> {
  const [first, second] = await reader.listSnapshots(accountId);
  if (first === undefined || second === undefined) throw new Error('two snapshots expected');
  let decrypted = 0;
  let changed = 0;
  const everyRecord = async function* (seq: number, collection: string): AsyncGenerator<{ id: string; text: string }> {
    const decode = await reader.recordDecoder(accountId, seq, collection, { revealSecrets: true });
    for (let offset = 0; ; offset += PAGE) {
      const page = await repository.visibleVersions(accountId, seq, collection, { offset, limit: PAGE });
      for (const version of page) {
        decrypted += 1;
        let text: string;
        try {
          text = JSON.stringify(decode({ bsoId: version.bsoId, payload: version.payload }));
        } catch (error) {
          text = String(error);
        }
        yield { id: version.bsoId, text };
      }
      if (page.length < PAGE) return;
    }
  };
  for (const collection of new Set([...Object.keys(first.collections), ...Object.keys(second.collections)])) {
    const before = new Map<string, string>();
    for await (const record of everyRecord(first.seq, collection)) before.set(record.id, record.text);
    for await (const record of everyRecord(second.seq, collection)) {
      const was = before.get(record.id);
      before.delete(record.id);
      if (was !== record.text) changed += 1;
    }
    changed += before.size;
  }
  return { decrypted, changed };
}

// ---------------------------------------------------------------------------------------------
// Driver side
// ---------------------------------------------------------------------------------------------

interface Changes {
  edited: number;
  tombstoned: number;
  deleted: number;
  added: number;
}

/** Another client edits 70%, tombstones 10%, deletes 10% outright and adds 10% of `target` records. */
async function changeOnePercent(controlUrl: string, email: string, target: number): Promise<Changes> {
  const account = `${controlUrl}/accounts/${encodeURIComponent(email)}`;
  const post = async (body: unknown): Promise<void> => {
    const response = await fetch(`${account}/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`writing failed: ${response.status} ${await response.text()}`);
  };
  const changes: Changes = { edited: 0, tombstoned: 0, deleted: 0, added: 0 };
  for (const [collection, share] of CHANGE_SHARES) {
    const records = (await (await fetch(`${account}/records/${collection}`)).json()) as Array<{ id: string; cleartext: Record<string, unknown> | null }>;
    const usable = records.filter((record) => record.cleartext !== null && record.cleartext['deleted'] !== true && !BOOKMARK_ROOTS.has(record.id) && record.cleartext['type'] !== 'folder');
    const count = Math.max(10, Math.round(target * share));
    const [editCount, tombstoneCount, deleteCount] = [Math.round(count * 0.7), Math.round(count * 0.1), Math.round(count * 0.1)];
    const edits = usable.slice(0, editCount);
    const tombstones = usable.slice(editCount, editCount + tombstoneCount);
    const deletions = usable.slice(editCount + tombstoneCount, editCount + tombstoneCount + deleteCount);
    const templates = usable.slice(editCount + tombstoneCount + deleteCount, count);
    const edited = edits.map(({ cleartext }) => {
      const record = { ...cleartext! };
      if (collection === 'history') record['visits'] = [{ date: Date.now() * 1000, type: 1 }, ...((record['visits'] as unknown[]) ?? [])];
      else if (collection === 'passwords') record['password'] = randomBytes(9).toString('base64url');
      else if (collection === 'forms') record['value'] = `edited ${record['value'] as string}`;
      else record['title'] = `edited ${record['title'] as string}`;
      return record;
    });
    const added = templates.map(({ cleartext }, index) => ({ ...cleartext!, id: `bench${collection.slice(0, 3)}${String(index).padStart(4, '0')}` }));
    await post({ collection, upsert: [...edited, ...added], tombstone: tombstones.map((record) => record.id) });
    await post({ collection, delete: deletions.map((record) => record.id) });
    changes.edited += edited.length;
    changes.added += added.length;
    changes.tombstoned += tombstones.length;
    changes.deleted += deletions.length;
  }
  return changes;
}

function mib(kb: number): string {
  return `${Math.round(kb / 1024).toLocaleString('en-US')} MiB`;
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
    const connection = connectFxaAccount({ authServerUrl: sandbox.urls.fxa, tokenServerUrl: sandbox.urls.tokenServer, credentials });
    const engine = new BackupEngine({ prisma, databaseUrl: database.url, keyCustody: new KeyCustody(prisma, new Vault(vaultKey)) });
    const first = await engine.run({ accountId, trigger: 'manual', connection });
    const records = Object.values(first.collections).reduce((sum, { count }) => sum + count, 0);
    const changes = await changeOnePercent(sandbox.urls.control, credentials.email, Math.round(records / 100));
    const second = await engine.run({ accountId, trigger: 'manual', connection });

    const input: WorkerInput = {
      mode: 'diff',
      databaseUrl: database.url,
      vaultKeyHex: vaultKey.toString('hex'),
      accountId,
      fxaUrl: sandbox.urls.fxa,
      tokenServerUrl: sandbox.urls.tokenServer,
      credentials: { kBHex: credentials.kB.toString('hex'), keysChangedAt: credentials.keysChangedAt, refreshToken: credentials.refreshToken, accessToken: credentials.accessToken, expiresAt: credentials.expiresAt },
      findText: 'edited',
    };
    const diff = await runWorker<WorkerResult>(import.meta.url, WORKER_ENV, input);
    const baseline = await runWorker<WorkerResult>(import.meta.url, WORKER_ENV, { ...input, mode: 'baseline' });
    const live = await runWorker<WorkerResult>(import.meta.url, WORKER_ENV, { ...input, mode: 'live' });
    const find = await runWorker<WorkerResult>(import.meta.url, WORKER_ENV, { ...input, mode: 'find' });
    if (diff.changed !== baseline.changed) throw new Error(`bench/diff: the diff found ${diff.changed} changed records, the full comparison ${baseline.changed}`);

    const diffMs = median(diff.ms);
    const baselineMs = baseline.ms[0] ?? 0;
    const changed = changes.edited + changes.tombstoned + changes.deleted + changes.added;
    const line = (label: string, text: string): void => console.log(`  ${label.padEnd(54)}${text}`);
    const perCollection = Object.entries(first.collections).sort((a, b) => b[1].count - a[1].count).slice(0, 4).map(([name, { count }]) => `${count.toLocaleString('en-US')} ${name}`).join(', ');
    console.log(`bench/diff: ${records.toLocaleString('en-US')} records in snapshot ${first.seq} (${perCollection}, ...), ${changed.toLocaleString('en-US')} changed before snapshot ${second.seq} (${changes.edited} edited, ${changes.tombstoned} tombstoned, ${changes.deleted} deleted, ${changes.added} added); each measurement in a fresh child process`);
    line(`diff 1 -> 2, records and semantic view (median of ${DIFF_ROUNDS})`, `${diffMs.toFixed(0)} ms  ${diff.changed} records changed, ${diff.compared} versions compared, ${diff.decrypted} decrypted`);
    line('baseline: decrypt both snapshots in full and compare', `${baselineMs.toFixed(0)} ms  ${baseline.changed} records changed, ${baseline.decrypted.toLocaleString('en-US')} decrypted`);
    line('diff time / baseline time', (diffMs / baselineMs).toFixed(3));
    line('peak RSS', `diff ${mib(diff.maxRssKb)}, baseline ${mib(baseline.maxRssKb)}`);
    line('diff 2 -> live (server as in snapshot 2)', `${(live.ms[0] ?? 0).toFixed(0)} ms  ${live.liveRead?.toLocaleString('en-US')} records read (${formatRate(live.liveRead ?? 0, live.ms[0] ?? 1)}), ${live.decrypted} decrypted, peak RSS ${mib(live.maxRssKb)}`);
    line(`find "${input.findText}" across both snapshots`, `${(find.ms[0] ?? 0).toFixed(0)} ms  ${find.found} records found, ${find.decrypted.toLocaleString('en-US')} versions decrypted once each, peak RSS ${mib(find.maxRssKb)}`);
  } finally {
    await prisma.$disconnect();
    await sandbox.close();
    await database.drop();
  }
}

await workerOrDriver(WORKER_ENV, worker, main);
