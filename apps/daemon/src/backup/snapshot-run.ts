import { performance } from 'node:perf_hooks';
import { payloadHash, type CurrentVersion, type NewVersion, type SnapshotRecord, type SnapshotRepository, type SnapshotWriter } from '../store/index.js';
import {
  CollectionKeys,
  CRYPTO_COLLECTION,
  HttpError,
  isTombstone,
  KEYS_RECORD_ID,
  PreconditionFailedError,
  WrongAccountKeyError,
  type CollectionsInfo,
  type ReadOptions,
  type RecordCleartext,
  type RemoteBso,
  type SyncConnection,
} from '../sync/index.js';
import type { KeyCustody } from '../vault/index.js';
import { CollectionKeptChangingError } from './errors.js';
import { computeHealthAlerts, parseMetaGlobal, type AccountState, type AlertSettings, type NewClient } from './health-alerts.js';
import { checkRecord, META_COLLECTION, META_GLOBAL_ID, type KeysInForce, type RecordCheck } from './record-check.js';
import { trafficSince, type TrafficCounts } from './traffic.js';
import type { BackupProgress, BackupRequest, BackupStats, HealthAlertSummary, SnapshotSummary } from './types.js';

const CLIENTS_COLLECTION = 'clients';
/** Page transactions of one collection running at once: the database gets a second core while the next page downloads. */
const MAX_PAGE_WRITES_IN_FLIGHT = 2;

export interface SnapshotRunContext {
  request: BackupRequest;
  seq: number;
  startedAt: Date;
  /** The newest complete snapshot: what this run builds on. */
  previous: SnapshotRecord | null;
  writer: SnapshotWriter;
  repository: SnapshotRepository;
  keyCustody: KeyCustody;
  alertSettings: AlertSettings;
  pageSize: number;
  collectionAttempts: number;
  clock: () => Date;
}

/** What reading one collection did; merged into the run only once the collection is done, so a redo starts from zero. */
class CollectionTally {
  recordsFetched = 0;
  payloadBytes = 0;
  storageCalls = 0;
  versionsAdded = 0;
  versionsClosed = 0;
  hmacFailures = 0;
  newClients: NewClient[] = [];
  /** crypto/keys, when this read fetched and decrypted it. */
  collectionKeys: CollectionKeys | undefined;
}

function clientOf(cleartext: RecordCleartext): NewClient {
  const { name, type } = cleartext;
  return { id: cleartext.id, ...(typeof name === 'string' && { name }), ...(typeof type === 'string' && { type }) };
}

/**
 * Page writes running concurrently, at most `limit` at a time. A failed write is kept and
 * rethrown by the next add() or drain(); the promises held never reject, so none goes unhandled.
 */
class PageWrites {
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  /** Starts `write`, then waits until fewer than `limit` writes run. */
  async add(write: () => Promise<void>): Promise<void> {
    this.throwIfFailed();
    const running: Promise<void> = write()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
    while (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
    this.throwIfFailed();
  }

  /** Waits for every write; throws the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    this.throwIfFailed();
  }

  /** Waits for every write, whatever the outcome. */
  async settle(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}

/** crypto/keys first (every other record is checked with it), then meta/global, then the rest by name. */
function readingOrder(collections: Iterable<string>): string[] {
  const rank = (name: string): number => (name === CRYPTO_COLLECTION ? 0 : name === META_COLLECTION ? 1 : 2);
  return [...collections].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * One backup of one account into snapshot `seq`, run under the account lock: everything it
 * writes carries fromSeq/toSeq = seq, so the caller can undo it all if it throws.
 */
export class SnapshotRun {
  private readonly accountId: string;
  private readonly connection: SyncConnection;
  private readonly began = performance.now();
  private readonly trafficAtStart: TrafficCounts | undefined;
  private info: CollectionsInfo = {};
  private collectionKeys: CollectionKeys | undefined;
  private keyFingerprint: string | null = null;
  private readonly totals = new CollectionTally();
  private readonly collectionsRead: string[] = [];
  private collectionsRedone = 0;
  private collectionsDone = 0;
  private collectionsTotal = 0;

  constructor(private readonly context: SnapshotRunContext) {
    this.accountId = context.request.accountId;
    this.connection = context.request.connection;
    this.trafficAtStart = context.request.traffic?.counts();
  }

  async execute(): Promise<{ summary: SnapshotSummary; alertIds: bigint[] }> {
    const { writer } = this.context;
    this.progress({ phase: 'starting', done: 0, total: 0 });
    this.info = await this.call(() => this.connection.storage.infoCollections(this.callOptions()), this.totals);
    const toRead = await this.collectionsToRead();
    this.collectionsTotal = toRead.length;

    await this.establishKeys(toRead);
    for (const collection of toRead) {
      if (collection === CRYPTO_COLLECTION) continue;
      await this.backupCollection(collection);
    }

    this.progress({ phase: 'finishing', done: 0, total: 0 });
    const counts = await writer.currentCounts(this.accountId);
    for (const collection of Object.keys(counts)) {
      if (collection in this.info) continue;
      // Gone from info/collections (deleted, or every record expired): nothing of it is current any more.
      this.totals.versionsClosed += await writer.closeCollection(this.accountId, this.context.seq, collection);
      delete counts[collection];
    }
    const collections = Object.fromEntries(
      Object.entries(this.info).map(([name, lastModified]) => [name, { count: counts[name] ?? 0, lastModified }]),
    );
    const alerts = await this.healthAlerts(counts, toRead);
    const stats = this.stats();
    const finishedAt = this.context.clock();
    const alertIds = await writer.complete(this.accountId, this.context.seq, {
      finishedAt,
      keyFingerprint: this.keyFingerprint,
      collections,
      versionsAdded: this.totals.versionsAdded,
      stats: stats as unknown as Record<string, unknown>,
      alerts,
    });
    const { request, seq, startedAt } = this.context;
    return {
      summary: {
        accountId: this.accountId,
        seq,
        status: 'complete',
        trigger: request.trigger,
        tags: [...(request.tags ?? [])],
        startedAt,
        finishedAt,
        collections,
        versionsAdded: this.totals.versionsAdded,
        keyFingerprint: this.keyFingerprint,
        alerts,
      },
      alertIds,
    };
  }

  /**
   * Collections whose last-modified moved since the previous snapshot, or whose record count on
   * the server no longer matches it: ttl expiry removes records without moving the timestamp,
   * and one info/collection_counts request is how it shows. Everything else costs nothing.
   */
  private async collectionsToRead(): Promise<string[]> {
    const previous = this.context.previous;
    if (previous === null) return readingOrder(Object.keys(this.info));
    const serverCounts = await this.serverCounts();
    const moved = Object.entries(this.info).filter(([name, lastModified]) => {
      const before = previous.collections[name];
      if (before === undefined || before.lastModified !== lastModified) return true;
      return serverCounts !== undefined && (serverCounts[name] ?? 0) !== before.count;
    });
    return readingOrder(moved.map(([name]) => name));
  }

  /** info/collection_counts, or undefined where a server does not offer it (then only timestamps decide). */
  private async serverCounts(): Promise<Record<string, number> | undefined> {
    try {
      return await this.call(() => this.connection.storage.collectionCounts(this.callOptions()), this.totals);
    } catch (error) {
      if (error instanceof HttpError && (error.status === 404 || error.status === 400)) return undefined;
      throw error;
    }
  }

  /**
   * The bulk keys in force. When crypto/keys moved (or on the first run) it is read like any
   * collection and decrypted with the root bundle, and both go into key custody; otherwise the
   * keys the previous snapshot used come back from custody without a request.
   */
  private async establishKeys(toRead: string[]): Promise<void> {
    const { keyCustody, previous } = this.context;
    if (!(CRYPTO_COLLECTION in this.info)) return;
    const keptKeys = async (): Promise<CollectionKeys | null> =>
      previous?.keyFingerprint ? keyCustody.collectionKeys(this.accountId, previous.keyFingerprint) : null;

    if (!toRead.includes(CRYPTO_COLLECTION)) {
      const kept = await keptKeys();
      if (kept !== null) {
        this.useKeys(kept);
        return;
      }
      toRead.unshift(CRYPTO_COLLECTION);
      this.collectionsTotal = toRead.length;
    }
    const fetched = (await this.backupCollection(CRYPTO_COLLECTION))?.collectionKeys;
    if (fetched !== undefined) {
      await this.adoptFetchedKeys(fetched);
      return;
    }
    if (!(CRYPTO_COLLECTION in this.info)) return;
    // crypto moved but crypto/keys itself did not: the previous keys still hold.
    const kept = await keptKeys();
    if (kept !== null) {
      this.useKeys(kept);
      return;
    }
    const keys = await this.fetchKeysRecord();
    if (keys !== undefined) await this.adoptFetchedKeys(keys);
  }

  /** Keys just decrypted from the server: they and the root bundle that opened them go into custody. */
  private async adoptFetchedKeys(keys: CollectionKeys): Promise<void> {
    await this.context.keyCustody.keepRootBundle(this.accountId, this.connection.rootBundle);
    await this.context.keyCustody.keepCollectionKeys(this.accountId, keys);
    this.useKeys(keys);
  }

  private async fetchKeysRecord(): Promise<CollectionKeys | undefined> {
    const record = await this.call(() => this.connection.storage.getRecord(CRYPTO_COLLECTION, KEYS_RECORD_ID, this.callOptions()), this.totals);
    return record === null ? undefined : this.collectionKeysFrom(checkRecord(CRYPTO_COLLECTION, record, this.keysInForce()));
  }

  /** crypto/keys that does not open with the root bundle means the account's key is wrong, not that the record is bad. */
  private collectionKeysFrom(check: RecordCheck): CollectionKeys {
    if (!check.hmacValid || check.cleartext === undefined) throw new WrongAccountKeyError(this.connection.kind);
    return CollectionKeys.fromCleartext(check.cleartext);
  }

  private useKeys(keys: CollectionKeys): void {
    this.collectionKeys = keys;
    this.keyFingerprint = keys.fingerprint();
  }

  private keysInForce(): KeysInForce {
    return { rootBundle: this.connection.rootBundle, collectionKeys: this.collectionKeys };
  }

  /**
   * Reads a collection into the snapshot; on a 412 (another client wrote meanwhile) undoes what
   * this snapshot wrote to it and reads it again against fresh info/collections, a bounded
   * number of times. Returns undefined when the collection vanished in between.
   */
  private async backupCollection(collection: string): Promise<CollectionTally | undefined> {
    const { writer, seq, collectionAttempts } = this.context;
    for (let attempt = 1; ; attempt++) {
      const tally = new CollectionTally();
      try {
        await this.readCollection(collection, tally);
        this.merge(tally);
        this.collectionsRead.push(collection);
        this.collectionsDone += 1;
        return tally;
      } catch (error) {
        this.totals.storageCalls += tally.storageCalls;
        if (!(error instanceof PreconditionFailedError)) throw error;
        await writer.rollbackCollection(this.accountId, seq, collection);
        this.collectionsRedone += 1;
        if (attempt >= collectionAttempts) throw new CollectionKeptChangingError(collection, attempt, { cause: error });
        const fresh = await this.call(() => this.connection.storage.infoCollections(this.callOptions()), this.totals);
        const lastModified = fresh[collection];
        if (lastModified === undefined) {
          delete this.info[collection];
          this.collectionsDone += 1;
          return undefined;
        }
        this.info[collection] = lastModified;
      }
    }
  }

  /**
   * The ids list (what exists now), then the records that changed since the previous snapshot,
   * then any the store lacks that `newer` did not return; finally the ids the server no longer
   * has (hard deletes, ttl expiry) are closed. Every page is one store transaction.
   */
  private async readCollection(collection: string, tally: CollectionTally): Promise<void> {
    const { writer, previous, pageSize } = this.context;
    const ifUnmodifiedSince = this.info[collection];
    if (ifUnmodifiedSince === undefined) throw new Error(`${collection} is not in info/collections`);
    const before = previous?.collections[collection];
    // A collection whose timestamp went backwards (a new storage node) is read in full.
    const newer = before !== undefined && before.lastModified <= ifUnmodifiedSince ? before.lastModified : undefined;
    const current = await writer.currentVersions(this.accountId, collection);

    const ids = await this.call(() => this.connection.storage.readIds(collection, { ...this.callOptions(), ifUnmodifiedSince }), tally);
    const onServer = new Set(ids);
    const total = onServer.size;
    const seen = new Set<string>();
    let done = 0;
    this.progress({ phase: 'collections', collection, done, total });

    const writes = new PageWrites(MAX_PAGE_WRITES_IN_FLIGHT);
    const readPages = async (options: ReadOptions): Promise<void> => {
      const pages = this.connection.storage.readRecords(collection, { ...this.callOptions(), ...options, ifUnmodifiedSince, limit: pageSize })[Symbol.asyncIterator]();
      let pending = pages.next();
      for (;;) {
        const next = await pending;
        if (next.done === true) return;
        tally.storageCalls += 1;
        // The next page downloads while this one is written: the server and the database work at the same time.
        pending = pages.next();
        pending.catch(() => undefined);
        const page = next.value;
        const { additions, replaced } = this.preparePage(collection, page, current, seen, tally);
        await writes.add(async () => {
          await writer.writeVersions(this.accountId, this.context.seq, collection, additions, replaced);
          done += page.length;
          this.progress({ phase: 'collections', collection, done: Math.min(done, total), total });
        });
      }
    };
    try {
      await readPages(newer === undefined ? {} : { newer });
      const missing = ids.filter((id) => !current.has(id) && !seen.has(id));
      if (missing.length > 0) await readPages({ ids: missing });
      await writes.drain();
    } catch (error) {
      // Nothing may still be writing when the caller undoes this collection.
      await writes.settle();
      throw error;
    }

    const gone = [...current.keys()].filter((id) => !onServer.has(id) && !seen.has(id));
    tally.versionsClosed += await writer.closeVersions(this.accountId, this.context.seq, collection, gone);
    this.progress({ phase: 'collections', collection, done: total, total });
  }

  /** One page's changes: records identical to their current version add nothing; the rest are checked, to be written in one transaction. */
  private preparePage(
    collection: string,
    page: readonly RemoteBso[],
    current: ReadonlyMap<string, CurrentVersion>,
    seen: Set<string>,
    tally: CollectionTally,
  ): { additions: NewVersion[]; replaced: string[] } {
    this.context.request.signal?.throwIfAborted();
    const additions: NewVersion[] = [];
    const replaced: string[] = [];
    for (const bso of page) {
      tally.recordsFetched += 1;
      tally.payloadBytes += Buffer.byteLength(bso.payload, 'utf8');
      if (seen.has(bso.id)) continue;
      seen.add(bso.id);
      const blobHash = payloadHash(bso.payload);
      const sortindex = bso.sortindex ?? null;
      const existing = current.get(bso.id);
      if (existing !== undefined && existing.blobHash === blobHash && existing.modified === bso.modified && existing.sortindex === sortindex) continue;

      const check = checkRecord(collection, bso, this.keysInForce());
      if (collection === CRYPTO_COLLECTION && bso.id === KEYS_RECORD_ID) tally.collectionKeys = this.collectionKeysFrom(check);
      if (!check.hmacValid) tally.hmacFailures += 1;
      if (collection === CLIENTS_COLLECTION && existing === undefined && check.cleartext !== undefined && !isTombstone(check.cleartext)) {
        tally.newClients.push(clientOf(check.cleartext));
      }
      if (existing !== undefined) replaced.push(bso.id);
      additions.push({ bsoId: bso.id, payload: bso.payload, blobHash, modified: bso.modified, sortindex, hmacValid: check.hmacValid });
    }
    tally.versionsAdded += additions.length;
    tally.versionsClosed += replaced.length;
    return { additions, replaced };
  }

  private async healthAlerts(counts: Record<string, number>, toRead: readonly string[]): Promise<HealthAlertSummary[]> {
    const { previous, repository, seq } = this.context;
    if (previous === null) return [];
    let previousMeta = null;
    let currentMeta = null;
    if (toRead.includes(META_COLLECTION)) {
      const [before, now] = await Promise.all([
        repository.visibleVersion(this.accountId, previous.seq, META_COLLECTION, META_GLOBAL_ID),
        repository.visibleVersion(this.accountId, seq, META_COLLECTION, META_GLOBAL_ID),
      ]);
      previousMeta = before === null ? null : parseMetaGlobal(before.payload);
      currentMeta = now === null ? null : parseMetaGlobal(now.payload);
    }
    const previousState: AccountState = {
      seq: previous.seq,
      counts: Object.fromEntries(Object.entries(previous.collections).map(([name, state]) => [name, state.count])),
      keyFingerprint: previous.keyFingerprint,
      metaGlobal: previousMeta,
    };
    const currentState: AccountState = { seq, counts, keyFingerprint: this.keyFingerprint, metaGlobal: currentMeta };
    return computeHealthAlerts({
      previous: previousState,
      current: currentState,
      newClients: this.totals.newClients,
      shrinkThreshold: this.context.alertSettings.shrinkThreshold,
    });
  }

  private stats(): BackupStats {
    const traffic =
      this.trafficAtStart === undefined || this.context.request.traffic === undefined
        ? undefined
        : trafficSince(this.trafficAtStart, this.context.request.traffic.counts());
    return {
      requests: traffic?.requests ?? this.totals.storageCalls,
      storageCalls: this.totals.storageCalls,
      responseBytes: traffic?.responseBytes ?? null,
      recordsFetched: this.totals.recordsFetched,
      payloadBytes: this.totals.payloadBytes,
      versionsAdded: this.totals.versionsAdded,
      versionsClosed: this.totals.versionsClosed,
      hmacFailures: this.totals.hmacFailures,
      collectionsRead: [...this.collectionsRead],
      collectionsRedone: this.collectionsRedone,
      backoffNotices: traffic?.backoffNotices ?? 0,
      serverAlerts: traffic?.serverAlerts ?? 0,
      durationMs: Math.round(performance.now() - this.began),
    };
  }

  private merge(tally: CollectionTally): void {
    const totals = this.totals;
    totals.recordsFetched += tally.recordsFetched;
    totals.payloadBytes += tally.payloadBytes;
    totals.storageCalls += tally.storageCalls;
    totals.versionsAdded += tally.versionsAdded;
    totals.versionsClosed += tally.versionsClosed;
    totals.hmacFailures += tally.hmacFailures;
    totals.newClients.push(...tally.newClients);
  }

  /** Counts one storage call (a request, or a page of a paged read). */
  private async call<T>(operation: () => Promise<T>, tally: CollectionTally): Promise<T> {
    tally.storageCalls += 1;
    return operation();
  }

  private callOptions(): { signal?: AbortSignal } {
    const signal = this.context.request.signal;
    return signal === undefined ? {} : { signal };
  }

  /** Best effort: a listener that throws (a closed progress stream, say) does not fail the backup. */
  private progress(update: Pick<BackupProgress, 'phase' | 'done' | 'total'> & { collection?: string }): void {
    try {
      this.context.request.onProgress?.({
        accountId: this.accountId,
        snapshotSeq: this.context.seq,
        ...update,
        collectionsDone: this.collectionsDone,
        collectionsTotal: this.collectionsTotal,
      });
    } catch {
      // The listener's problem; the snapshot goes on.
    }
  }
}
