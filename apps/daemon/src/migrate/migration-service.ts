/**
 * Moves an account's data into another, Sync 1.5, account: always from a snapshot (a live source
 * is backed up first), so the source cannot change under a long upload, a killed run resumes
 * from its checkpoint against exactly the same records, and the verification knows what the
 * target must hold.
 */
import { randomUUID } from 'node:crypto';
import type { AccountService, AccountView } from '../accounts/index.js';
import type { BackupEngine } from '../backup/index.js';
import { stableJson } from '../restore/bookmark-plan.js';
import { AccountLock, payloadHash, SnapshotRepository, type PrismaClient, type SnapshotRecord, type StoredRecordVersion } from '../store/index.js';
import {
  CollectionKeys,
  COLLECTION_TTL_SECONDS,
  CRYPTO_COLLECTION,
  decryptBso,
  encryptRecord,
  fetchCollectionKeys,
  KEYS_RECORD_ID,
  planUpload,
  PreconditionFailedError,
  QuotaExceededError,
  RecordTooLargeError,
  remainingTtlSeconds,
  type CollectionsInfo,
  type HttpResponse,
  type MetaGlobalRecord,
  type OutgoingBso,
  type ServerLimits,
  type ServerNotice,
  type SyncConnection,
} from '../sync/index.js';
import type { KeyCustody } from '../vault/index.js';
import type { Vault } from '../vault/vault.js';
import { clientInstructions } from './client-instructions.js';
import { MigrationNotFoundError, MigrationRefusedError, MigrationVerificationError } from './errors.js';
import { convertLegacyMetaGlobal, mergeIntoTargetMeta, parseMetaGlobal, withNewSyncIds } from './meta-global.js';
import type {
  CollectionPlan,
  KeysAction,
  MetaGlobalAction,
  MigrationMode,
  MigrationPlan,
  MigrationProgress,
  MigrationRequest,
  MigrationResult,
  MigrationStatus,
  MigrationVerification,
  MigrationView,
  VerificationMismatch,
} from './types.js';

export interface MigrationServiceOptions {
  prisma: PrismaClient;
  databaseUrl: string;
  accounts: Pick<AccountService, 'get' | 'openConnection'>;
  keyCustody: KeyCustody;
  /** Seals a --rekey migration's new keys in its checkpoint. */
  vault: Pick<Vault, 'sealJson' | 'openJson'>;
  backup: Pick<BackupEngine, 'run'>;
  clock?: () => Date;
}

export interface MigrationRunOptions {
  onProgress?: (progress: MigrationProgress) => void;
  /** Aborting stops the upload between two batches; the checkpoint stays and a later run resumes. */
  signal?: AbortSignal;
}

const META_COLLECTION = 'meta';
const GLOBAL_RECORD_ID = 'global';
/** Device state: a 1.1 profile's client records and tabs mean nothing to a 1.5 account. */
const DEVICE_COLLECTIONS = ['clients', 'tabs'];
/** Upload order after crypto/keys and meta/global; collections not named here follow alphabetically. */
const COLLECTION_ORDER = ['bookmarks', 'passwords', 'addresses', 'creditcards', 'forms', 'prefs', 'addons', 'history', 'clients', 'tabs'];
/** Source records read at once; the store pages at most 10,000. A collection that fits in one page and in max_total_records goes up in one atomic batch. */
const MAX_SOURCE_PAGE = 10_000;
const MAX_PRECONDITION_RETRIES = 3;
const MAX_REPORTED_MISMATCHES = 100;
const UNFINISHED: MigrationStatus[] = ['running', 'interrupted'];

const KEYS_NOTES: Readonly<Record<KeysAction, string>> = {
  copy: 'copied as it is (the same kB on both sides)',
  rewrap: "the same bulk keys, encrypted with the target's kB",
  rekey: 'new random bulk keys',
  'keep-target': 'the target keeps its own',
};
const META_NOTES: Readonly<Record<MetaGlobalAction, string>> = {
  copy: 'copied as it is: the same syncIDs, so connected clients carry on',
  convert: 'converted from Sync 1.1 (declined list, engine versions), syncIDs kept',
  'new-sync-ids': 'new syncIDs: every client resets and merges',
  'merge-target': "the target's, with the engines only the source has added",
};

/** Where a migration stands; saved after every committed batch. */
interface Checkpoint {
  wiped: boolean;
  keys: boolean;
  meta: boolean;
  /** The meta/global written when it is not the source's own (verification compares it). */
  metaPayload?: string;
  /** Per collection: source records consumed (uploaded or skipped), in id order. */
  collections: Record<string, { done: number; total: number }>;
}

type SkipReason = 'ttl already over' | 'already on the target' | 'the target has a newer version' | 'does not decrypt with the source keys';

/** Everything a plan and a run work from. */
interface Context {
  source: AccountView;
  target: AccountView;
  snapshot: SnapshotRecord;
  mode: MigrationMode;
  rekey: boolean;
  targetConnection: SyncConnection;
  targetInfo: CollectionsInfo;
  targetCounts: Record<string, number>;
  limits: ServerLimits;
  quota: { usedKb: number; quotaKb: number | null };
  keys: KeysAction;
  metaAction: MetaGlobalAction;
  sourceKeysRecord: StoredRecordVersion;
  sourceMeta: MetaGlobalRecord;
  sourceMetaPayload: string;
  /** The bulk keys of the snapshot. */
  sourceKeys: CollectionKeys;
  /** The keys records are under on the target; null until a --rekey run has made (or reloaded) its own. */
  recordKeys: CollectionKeys | null;
  reencrypt: boolean;
  /** The meta/global to write, or null to write the source's byte for byte (or nothing: merge, unchanged). */
  metaPayload: string | null;
  writeMeta: boolean;
  /** Data collections in upload order, with the reason when one is left out. */
  collections: Array<{ name: string; total: number; dropped: string | null }>;
  /** --merge: the target's records (modified time, payload hash). */
  targetRecords: Map<string, Map<string, { modified: number; hash: string }>>;
  notes: string[];
}

function newCheckpoint(context: Context): Checkpoint {
  return {
    wiped: false,
    keys: false,
    meta: false,
    collections: Object.fromEntries(context.collections.filter((collection) => collection.dropped === null).map((collection) => [collection.name, { done: 0, total: collection.total }])),
  };
}

function progressOf(checkpoint: Checkpoint): { done: number; total: number } {
  let done = 0;
  let total = 0;
  for (const collection of Object.values(checkpoint.collections)) {
    done += collection.done;
    total += collection.total;
  }
  return { done, total };
}

function orderCollections(names: Iterable<string>): string[] {
  const rank = (name: string) => {
    const index = COLLECTION_ORDER.indexOf(name);
    return index === -1 ? COLLECTION_ORDER.length : index;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function limitsJson(limits: ServerLimits): Record<string, number | null> {
  return Object.fromEntries(Object.entries(limits).map(([key, value]) => [key, typeof value === 'number' && Number.isFinite(value) ? value : null]));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Collects what the target says besides its answers, for progress and the result. */
class TargetNotices {
  readonly all: string[] = [];
  private listener: ((notice: string) => void) | undefined;

  onNotice(listener: (notice: string) => void): void {
    this.listener = listener;
  }

  add(notice: string): void {
    if (this.all.at(-1) !== notice) this.all.push(notice);
    this.listener?.(notice);
  }

  readonly onServerNotice = (notice: ServerNotice): void => {
    switch (notice.kind) {
      case 'backoff':
        this.add(`the target asked to back off for ${notice.seconds} s (X-Weave-Backoff); the next request waits`);
        break;
      case 'quota-remaining':
        this.add(`the target reports ${Math.round(notice.kilobytes)} KB of quota left`);
        break;
      case 'alert':
        this.add(`the target sent an alert: ${notice.alert.message}`);
        break;
      case 'node-reassigned':
        this.add(`the tokenserver moved the account to another storage node (${notice.current})`);
        break;
    }
  };

  /** The retry policy honours Retry-After on its own; this says so. */
  readonly onRetry = (retryAfterSeconds: number | undefined, response: HttpResponse): void => {
    this.add(`the target answered ${response.status}${retryAfterSeconds === undefined ? '' : ` with Retry-After ${retryAfterSeconds} s`}; retrying after the wait`);
  };
}

export class MigrationService {
  private readonly repository: SnapshotRepository;
  private readonly clock: () => Date;

  constructor(private readonly options: MigrationServiceOptions) {
    this.repository = new SnapshotRepository(options.prisma);
    this.clock = options.clock ?? (() => new Date());
  }

  /** The plan (dry run): what would move, the target's state and limits; writes nothing to either server. */
  async plan(request: MigrationRequest): Promise<MigrationPlan> {
    const { source, target } = await this.accountsOf(request);
    const unfinished = request.restart === true ? null : await this.unfinished(source.id, target.id);
    const flags = unfinished === null ? this.flagsOf(request) : this.resumeFlags(unfinished, request);
    const seq = unfinished?.sourceSeq ?? request.fromSnapshot ?? (await this.latestComplete(source.id));
    const context = await this.context(source, target, seq, flags, new TargetNotices());
    const plan = await this.planOf(context, unfinished === null ? null : { migrationId: unfinished.id, ...progressOf(unfinished.checkpoint as unknown as Checkpoint) });
    if (unfinished === null && request.fromSnapshot === undefined) {
      plan.notes.unshift(`figures from the latest snapshot (${context.snapshot.seq}); running backs up the live account first and copies that fresh snapshot`);
    }
    return plan;
  }

  /**
   * Runs (or resumes) the migration: takes the source snapshot when none is named, refuses what
   * the plan refuses (MigrationRefusedError), uploads with checkpoints, verifies
   * (MigrationVerificationError on a mismatch) and returns the result.
   */
  async run(request: MigrationRequest, options: MigrationRunOptions = {}): Promise<MigrationResult> {
    const onProgress = options.onProgress ?? (() => undefined);
    const { source, target } = await this.accountsOf(request);
    return AccountLock.with(this.options.databaseUrl, target.id, async () => {
      let unfinished = await this.unfinished(source.id, target.id);
      if (unfinished !== null && request.restart === true) {
        await this.options.prisma.migration.update({ where: { id: unfinished.id }, data: { status: 'abandoned', finishedAt: this.clock() } });
        unfinished = null;
      }
      const flags = unfinished === null ? this.flagsOf(request) : this.resumeFlags(unfinished, request);
      let seq = unfinished?.sourceSeq ?? request.fromSnapshot;
      if (seq === undefined) {
        onProgress({ phase: 'source-snapshot', done: 0, total: 0 });
        const snapshot = await this.options.backup.run({
          accountId: source.id,
          trigger: 'migration',
          tags: ['migration'],
          connection: await this.options.accounts.openConnection(source.id),
          ...(options.signal !== undefined && { signal: options.signal }),
        });
        seq = snapshot.seq;
      }
      onProgress({ phase: 'planning', done: 0, total: 0 });
      const notices = new TargetNotices();
      const context = await this.context(source, target, seq, flags, notices);
      const plan = await this.planOf(context, unfinished === null ? null : { migrationId: unfinished.id, ...progressOf(unfinished.checkpoint as unknown as Checkpoint) });
      if (plan.refusal !== null) throw new MigrationRefusedError(plan.refusal);
      let row = unfinished;
      if (row === null) {
        // The id is chosen first: a --rekey migration's new keys are sealed for it.
        const id = randomUUID();
        const keys = flags.rekey ? CollectionKeys.generate() : null;
        row = await this.options.prisma.migration.create({
          data: {
            id,
            sourceAccountId: source.id,
            targetAccountId: target.id,
            sourceSeq: seq,
            mode: flags.mode,
            rekey: flags.rekey,
            status: 'running',
            checkpoint: newCheckpoint(context) as object,
            sealedKeys: keys === null ? null : new Uint8Array(this.options.vault.sealJson(keys.toCleartext(), keysPurpose(id))),
          },
        });
      } else {
        row = await this.options.prisma.migration.update({ where: { id: row.id }, data: { status: 'running', error: null } });
      }
      const migrationId = row.id;
      if (flags.rekey) {
        if (row.sealedKeys === null) throw new MigrationRefusedError(`migration ${migrationId} lost its new keys; run again with --restart`);
        context.recordKeys = CollectionKeys.fromCleartext(this.options.vault.openJson<unknown>(Buffer.from(row.sealedKeys), keysPurpose(migrationId)));
      }
      const checkpoint = row.checkpoint as unknown as Checkpoint;
      const resumed = unfinished !== null;
      const report = (progress: Omit<MigrationProgress, 'migrationId'>) => onProgress({ migrationId, ...progress });
      notices.onNotice((notice) => report({ phase: 'uploading', ...progressOf(checkpoint), notice }));

      let uploaded: Record<string, number>;
      try {
        uploaded = await this.upload(context, notices, migrationId, checkpoint, report, options.signal);
      } catch (error) {
        await this.options.prisma.migration.update({ where: { id: migrationId }, data: { status: 'interrupted', error: message(error) } });
        if (error instanceof QuotaExceededError) throw new MigrationRefusedError(`the target is over its storage quota (${message(error)}); free space on the target or raise its quota, then run the migration again: it resumes where it stopped`);
        throw error;
      }

      report({ phase: 'verifying', ...progressOf(checkpoint) });
      const verification = await this.verify(context, checkpoint);
      const result: MigrationResult = {
        migrationId,
        plan,
        resumed,
        uploaded,
        verification,
        notices: notices.all,
        clients: clientInstructions({ tokenServerUrl: target.tokenServerUrl ?? '', fxaUrl: target.fxaUrl }),
      };
      await this.options.prisma.migration.update({
        where: { id: migrationId },
        data: { status: verification.ok ? 'completed' : 'failed', result: result as object, finishedAt: this.clock(), error: verification.ok ? null : new MigrationVerificationError(result).message },
      });
      if (!verification.ok) throw new MigrationVerificationError(result);
      report({ phase: 'done', ...progressOf(checkpoint) });
      return result;
    });
  }

  /** One migration (MigrationNotFoundError when unknown). */
  async get(id: string): Promise<MigrationView> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.options.prisma.migration.findUnique({ where: { id } }) : null;
    if (row === null) throw new MigrationNotFoundError(id);
    return viewOf(row);
  }

  /** Newest first; only those touching `accountId` (as source or target) when given. */
  async list(options: { accountId?: string } = {}): Promise<MigrationView[]> {
    const where = options.accountId === undefined ? {} : { OR: [{ sourceAccountId: options.accountId }, { targetAccountId: options.accountId }] };
    const rows = await this.options.prisma.migration.findMany({ where, orderBy: { startedAt: 'desc' }, take: 200 });
    return rows.map(viewOf);
  }

  private async accountsOf(request: MigrationRequest): Promise<{ source: AccountView; target: AccountView }> {
    if (request.replace === true && request.merge === true) throw new MigrationRefusedError('--replace and --merge exclude each other: either wipe the target first or keep what it has');
    if (request.merge === true && request.rekey === true) throw new MigrationRefusedError('--merge keeps the target\'s keys and syncIDs, --rekey makes new ones: choose one');
    const source = await this.options.accounts.get(request.source);
    const target = await this.options.accounts.get(request.target);
    if (source.id === target.id) throw new MigrationRefusedError('the source and the target are the same account');
    if (target.kind === 'legacy11') throw new MigrationRefusedError(`the target ${target.name} is a Sync 1.1 account: a migration writes into Sync 1.5 (a Mozilla or self-hosted account)`);
    return { source, target };
  }

  private flagsOf(request: MigrationRequest): { mode: MigrationMode; rekey: boolean } {
    return { mode: request.replace === true ? 'replace' : request.merge === true ? 'merge' : 'empty', rekey: request.rekey === true };
  }

  /** A resumed migration keeps its own choices; a request that asks for other ones is refused rather than half applied. */
  private resumeFlags(row: { id: string; mode: string; rekey: boolean; sourceSeq: number }, request: MigrationRequest): { mode: MigrationMode; rekey: boolean } {
    const asked = this.flagsOf(request);
    const conflicts: string[] = [];
    if (request.fromSnapshot !== undefined && request.fromSnapshot !== row.sourceSeq) conflicts.push(`it copies snapshot ${row.sourceSeq}, not ${request.fromSnapshot}`);
    if ((request.replace === true || request.merge === true) && asked.mode !== row.mode) conflicts.push(`its mode is ${row.mode}`);
    if (request.rekey === true && !row.rekey) conflicts.push('it does not re-key');
    if (conflicts.length > 0) throw new MigrationRefusedError(`an unfinished migration ${row.id} of these accounts would be resumed, but ${conflicts.join(' and ')}: run without those options to resume it, or with --restart to abandon it`);
    return { mode: row.mode as MigrationMode, rekey: row.rekey };
  }

  private async unfinished(sourceId: string, targetId: string) {
    return this.options.prisma.migration.findFirst({ where: { sourceAccountId: sourceId, targetAccountId: targetId, status: { in: UNFINISHED } }, orderBy: { startedAt: 'desc' } });
  }

  private async latestComplete(accountId: string): Promise<number | null> {
    return (await this.repository.latestComplete(accountId))?.seq ?? null;
  }

  /**
   * Reads the snapshot and the target and decides how keys, meta/global and each collection move.
   * `seq` null (a live source never backed up) plans from the server's counts alone.
   */
  private async context(source: AccountView, target: AccountView, seq: number | null, flags: { mode: MigrationMode; rekey: boolean }, notices: TargetNotices): Promise<Context> {
    if (seq === null) throw new MigrationRefusedError(`${source.name} has no complete snapshot yet to plan from: back it up once (syncvault backup ${source.name}), or run the migration, which backs it up first`);
    const snapshot = await this.repository.get(source.id, seq);
    if (snapshot === null) throw new MigrationRefusedError(`${source.name} has no snapshot ${seq}${seq > 0 ? ' (retention may have removed it; run again with --restart to start from a new one)' : ''}`);
    if (snapshot.status !== 'complete') throw new MigrationRefusedError(`snapshot ${seq} of ${source.name} is ${snapshot.status}, not complete`);
    const notes: string[] = [];

    const sourceKeysRecord = await this.repository.visibleVersion(source.id, seq, CRYPTO_COLLECTION, KEYS_RECORD_ID);
    if (sourceKeysRecord === null) throw new MigrationRefusedError(`snapshot ${seq} of ${source.name} holds no crypto/keys: no client could read its records anywhere`);
    const metaRecord = await this.repository.visibleVersion(source.id, seq, META_COLLECTION, GLOBAL_RECORD_ID);
    if (metaRecord === null) throw new MigrationRefusedError(`snapshot ${seq} of ${source.name} holds no meta/global: clients would wipe a server without one`);
    const sourceMeta = parseMetaGlobal(metaRecord.payload);
    const sourceKeys = await this.sourceKeys(source.id, snapshot, sourceKeysRecord);

    const targetConnection = await this.options.accounts.openConnection(target.id, { onServerNotice: notices.onServerNotice, retry: { onRetry: notices.onRetry } });
    const targetInfo = await targetConnection.storage.infoCollections();
    const targetCounts = Object.keys(targetInfo).length === 0 ? {} : await targetConnection.storage.collectionCounts();
    const limits = await targetConnection.storage.configuration();
    let quota: Context['quota'];
    try {
      quota = await targetConnection.storage.infoQuota();
    } catch {
      quota = { usedKb: 0, quotaKb: null };
      notes.push('the target does not report info/quota');
    }

    // Keys: the same root key on both sides (same kB) copies crypto/keys as it is.
    let keys: KeysAction;
    let recordKeys: CollectionKeys | null = sourceKeys;
    if (flags.rekey) {
      keys = 'rekey';
      recordKeys = null;
    } else if (flags.mode === 'merge' && targetInfo[CRYPTO_COLLECTION] !== undefined) {
      keys = 'keep-target';
      const targetKeys = await fetchCollectionKeys(targetConnection);
      if (targetKeys === undefined) throw new MigrationRefusedError('the target lists crypto but has no crypto/keys record');
      recordKeys = targetKeys;
    } else {
      keys = opensWith(sourceKeysRecord, targetConnection) ? 'copy' : 'rewrap';
    }
    const reencrypt = keys === 'rekey' || (keys === 'keep-target' && recordKeys!.fingerprint() !== sourceKeys.fingerprint());
    if (keys === 'keep-target') notes.push(reencrypt ? "the target has its own bulk keys: every record is decrypted and encrypted again with them" : 'the target already uses the same bulk keys: records are copied as they are');
    if (keys === 'rewrap') notes.push(`the target's root key differs from the source's (${source.kind === 'legacy11' ? 'a Sync Key' : 'another account key'}): the same bulk keys are encrypted again with the target's kB, so every other record is copied as it is`);

    // meta/global.
    let metaAction: MetaGlobalAction;
    let meta: MetaGlobalRecord | null = null;
    let writeMeta = true;
    let dropBookmarks = false;
    if (flags.rekey) {
      metaAction = 'new-sync-ids';
      meta = withNewSyncIds(source.kind === 'legacy11' ? convertLegacyMetaGlobal(sourceMeta).meta : sourceMeta);
    } else if (flags.mode === 'merge' && targetInfo[META_COLLECTION] !== undefined) {
      metaAction = 'merge-target';
      const current = await targetConnection.storage.getRecord(META_COLLECTION, GLOBAL_RECORD_ID);
      if (current === null) throw new MigrationRefusedError('the target lists meta but has no meta/global record');
      const merged = mergeIntoTargetMeta(parseMetaGlobal(current.payload), sourceMeta);
      meta = merged.meta;
      writeMeta = merged.changed;
    } else if (source.kind === 'legacy11') {
      metaAction = 'convert';
      const converted = convertLegacyMetaGlobal(sourceMeta);
      meta = converted.meta;
      dropBookmarks = converted.dropBookmarks;
      notes.push(...converted.notes);
    } else {
      metaAction = 'copy';
    }
    if (source.kind === 'legacy11' && flags.rekey) dropBookmarks = convertLegacyMetaGlobal(sourceMeta).dropBookmarks;

    const counts = await this.repository.visibleCounts(source.id, seq);
    const names = orderCollections(Object.keys(counts).filter((name) => name !== CRYPTO_COLLECTION && name !== META_COLLECTION));
    const collections = names.map((name) => {
      let dropped: string | null = null;
      if (source.kind === 'legacy11' && DEVICE_COLLECTIONS.includes(name)) dropped = 'device state of Sync 1.1 clients: not copied (each device writes its own again)';
      else if (name === 'bookmarks' && dropBookmarks) dropped = 'bookmarks engine older than version 2: not copied';
      return { name, total: counts[name] ?? 0, dropped };
    });

    const targetRecords = new Map<string, Map<string, { modified: number; hash: string }>>();
    if (flags.mode === 'merge') {
      for (const { name, dropped } of collections) {
        if (dropped !== null || targetInfo[name] === undefined) continue;
        const records = new Map<string, { modified: number; hash: string }>();
        for await (const page of targetConnection.storage.readRecords(name)) for (const bso of page) records.set(bso.id, { modified: bso.modified, hash: payloadHash(bso.payload) });
        targetRecords.set(name, records);
      }
    }

    return {
      source,
      target,
      snapshot,
      mode: flags.mode,
      rekey: flags.rekey,
      targetConnection,
      targetInfo,
      targetCounts,
      limits,
      quota,
      keys,
      metaAction,
      sourceKeysRecord,
      sourceMeta,
      sourceMetaPayload: metaRecord.payload,
      sourceKeys,
      recordKeys,
      reencrypt,
      metaPayload: meta === null ? null : JSON.stringify(meta),
      writeMeta,
      collections,
      targetRecords,
      notes,
    };
  }

  /** The snapshot's bulk keys: from custody by its fingerprint, else its crypto/keys opened with a kept root key. */
  private async sourceKeys(accountId: string, snapshot: SnapshotRecord, record: StoredRecordVersion): Promise<CollectionKeys> {
    if (snapshot.keyFingerprint !== null) {
      const kept = await this.options.keyCustody.collectionKeys(accountId, snapshot.keyFingerprint);
      if (kept !== null) return kept;
    }
    for (const { bundle } of await this.options.keyCustody.rootBundles(accountId)) {
      try {
        return CollectionKeys.decrypt({ id: KEYS_RECORD_ID, payload: record.payload }, bundle);
      } catch {
        // the next root key the account had
      }
    }
    throw new MigrationRefusedError(`the crypto/keys of snapshot ${snapshot.seq} opens with no key Syncvault holds for the source`);
  }

  /** The plan of `context`: one pass over the snapshot (no decryption: re-encrypted records are counted at their source size). */
  private async planOf(context: Context, resumes: MigrationPlan['resumes']): Promise<MigrationPlan> {
    const collections: CollectionPlan[] = [];
    const notes = [...context.notes];
    let refusal: string | null = null;
    // crypto/keys and meta/global first: a client that finds meta/global finds crypto/keys too.
    const keysBytes = Buffer.byteLength(context.sourceKeysRecord.payload, 'utf8');
    collections.push({
      collection: CRYPTO_COLLECTION,
      action: context.keys === 'keep-target' ? 'skip' : context.keys === 'copy' ? 'copy' : 're-encrypt',
      records: context.keys === 'keep-target' ? 0 : 1,
      bytes: context.keys === 'keep-target' ? 0 : keysBytes,
      skipped: [],
      targetRecords: context.targetCounts[CRYPTO_COLLECTION] ?? 0,
      ttlSeconds: null,
      note: KEYS_NOTES[context.keys],
    });
    const metaBytes = Buffer.byteLength(context.metaPayload ?? context.sourceMetaPayload, 'utf8');
    collections.push({
      collection: META_COLLECTION,
      action: context.writeMeta ? 'copy' : 'skip',
      records: context.writeMeta ? 1 : 0,
      bytes: context.writeMeta ? metaBytes : 0,
      skipped: [],
      targetRecords: context.targetCounts[META_COLLECTION] ?? 0,
      ttlSeconds: null,
      note: context.metaAction === 'merge-target' && !context.writeMeta ? "the target's, unchanged" : META_NOTES[context.metaAction],
    });
    let batches = collections.reduce((sum, collection) => sum + collection.records, 0);
    for (const { name, total, dropped } of context.collections) {
      const ttlSeconds = COLLECTION_TTL_SECONDS[name] ?? null;
      const targetRecords = context.targetCounts[name] ?? 0;
      if (dropped !== null) {
        collections.push({ collection: name, action: 'skip', records: 0, bytes: 0, skipped: [{ reason: dropped, count: total }], targetRecords, ttlSeconds, note: dropped });
        continue;
      }
      const skipped = new Map<SkipReason, number>();
      let records = 0;
      let bytes = 0;
      for await (const page of this.outgoing(context, name, 0, skipped, { estimate: true })) {
        records += page.records.length;
        for (const record of page.records) bytes += Buffer.byteLength(record.payload, 'utf8');
        try {
          batches += planUpload(name, page.records, context.limits).length;
        } catch (error) {
          if (!(error instanceof RecordTooLargeError)) throw error;
          refusal ??= `${error.message}: the target cannot hold it`;
        }
      }
      collections.push({
        collection: name,
        action: context.reencrypt ? 're-encrypt' : 'copy',
        records,
        bytes,
        skipped: [...skipped].map(([reason, count]) => ({ reason, count })),
        targetRecords,
        ttlSeconds,
      });
    }
    const totals = { records: 0, bytes: 0, batches };
    for (const collection of collections) {
      totals.records += collection.records;
      totals.bytes += collection.bytes;
    }
    const targetEmpty = Object.values(context.targetCounts).every((count) => count === 0);
    if (resumes === null) {
      if (!targetEmpty && context.mode === 'empty') {
        const held = Object.entries(context.targetCounts).filter(([, count]) => count > 0).map(([name, count]) => `${name} ${count}`).join(', ');
        refusal ??= `the target ${context.target.name} is not empty (${held}): add --replace to wipe it first, or --merge to keep what it has`;
      }
      const { usedKb, quotaKb } = context.quota;
      const neededKb = Math.ceil(totals.bytes / 1024);
      const startKb = context.mode === 'replace' ? 0 : usedKb;
      if (quotaKb !== null && startKb + neededKb > quotaKb) {
        refusal ??= `the target's quota is ${Math.floor(quotaKb)} KB: it would hold ${Math.ceil(startKb)} KB before the migration and needs ${neededKb} KB more`;
      }
    } else {
      notes.push(`resumes migration ${resumes.migrationId} at ${resumes.done} of ${resumes.total} records`);
    }
    if (context.mode === 'replace' && !targetEmpty) notes.push('--replace deletes everything the target holds before the upload (DELETE /storage)');
    return {
      source: {
        accountId: context.source.id,
        name: context.source.name,
        kind: context.source.kind,
        snapshot: { seq: context.snapshot.seq, finishedAt: context.snapshot.finishedAt?.toISOString() ?? null },
      },
      target: {
        accountId: context.target.id,
        name: context.target.name,
        tokenServerUrl: context.target.tokenServerUrl ?? '',
        collections: context.targetCounts,
        empty: targetEmpty,
        quota: context.quota,
        limits: limitsJson(context.limits),
      },
      mode: context.mode,
      rekey: context.rekey,
      keys: context.keys,
      metaGlobal: context.metaAction,
      collections,
      totals,
      refusal,
      notes,
      resumes,
    };
  }

  /**
   * The records of one collection as they go to the target, one source page at a time, each with
   * its position among the source records (the checkpoint counts positions, skipped ones too).
   */
  private async *outgoing(
    context: Context,
    collection: string,
    from: number,
    skipped: Map<SkipReason, number>,
    options: { estimate?: boolean } = {},
  ): AsyncGenerator<{ records: Array<OutgoingBso & { position: number }>; end: number }> {
    const onTarget = context.targetRecords.get(collection);
    const pageSize = sourcePageSize(context.limits);
    for (let offset = from; ; offset += pageSize) {
      const versions = await this.repository.visibleVersions(context.source.id, context.snapshot.seq, collection, { offset, limit: pageSize });
      if (versions.length === 0) return;
      // The target counts a ttl from its own write, so it is worked out just before the upload.
      const nowMs = this.clock().getTime();
      const records: Array<OutgoingBso & { position: number }> = [];
      versions.forEach((version, index) => {
        const skip = (reason: SkipReason) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
        const ttl = remainingTtlSeconds(collection, version.modified, nowMs);
        if (ttl !== null && ttl <= 0) return skip('ttl already over');
        // Server times are upload times on both sides: the best sign of which copy a device changed last.
        const targetRecord = onTarget?.get(version.bsoId);
        if (targetRecord?.hash === version.blobHash) return skip('already on the target');
        if (targetRecord !== undefined && targetRecord.modified > version.modified) return skip('the target has a newer version');
        let payload = version.payload;
        if (context.reencrypt && options.estimate !== true) {
          try {
            payload = encryptRecord(collection, decryptBso(collection, { id: version.bsoId, payload: version.payload }, context.sourceKeys), context.recordKeys!);
          } catch {
            return skip('does not decrypt with the source keys');
          }
        }
        records.push({
          id: version.bsoId,
          payload,
          ...(version.sortindex !== null && { sortindex: version.sortindex }),
          ...(ttl !== null && { ttl }),
          position: offset + index + 1,
        });
      });
      yield { records, end: offset + versions.length };
      if (versions.length < pageSize) return;
    }
  }

  private async upload(
    context: Context,
    notices: TargetNotices,
    migrationId: string,
    checkpoint: Checkpoint,
    report: (progress: Omit<MigrationProgress, 'migrationId'>) => void,
    signal: AbortSignal | undefined,
  ): Promise<Record<string, number>> {
    const storage = context.targetConnection.storage;
    const save = () => this.options.prisma.migration.update({ where: { id: migrationId }, data: { checkpoint: checkpoint as object } });
    const callOptions = signal === undefined ? {} : { signal };
    const uploaded: Record<string, number> = {};

    if (context.mode === 'replace' && !checkpoint.wiped) {
      report({ phase: 'wiping-target', ...progressOf(checkpoint) });
      await storage.deleteAll(callOptions);
      checkpoint.wiped = true;
      await save();
    }
    let info = await storage.infoCollections(callOptions);

    if (!checkpoint.keys && context.keys !== 'keep-target') {
      const payload =
        context.keys === 'copy' ? context.sourceKeysRecord.payload : (context.keys === 'rekey' ? context.recordKeys! : context.sourceKeys).encrypt(context.targetConnection.rootBundle);
      await storage.putRecord(CRYPTO_COLLECTION, { id: KEYS_RECORD_ID, payload }, { ...callOptions, ifUnmodifiedSince: info[CRYPTO_COLLECTION] ?? 0 });
      checkpoint.keys = true;
      await save();
    }
    if (!checkpoint.meta && context.writeMeta) {
      const payload = context.metaPayload ?? context.sourceMetaPayload;
      await storage.putRecord(META_COLLECTION, { id: GLOBAL_RECORD_ID, payload }, { ...callOptions, ifUnmodifiedSince: info[META_COLLECTION] ?? 0 });
      checkpoint.meta = true;
      if (context.metaPayload !== null) checkpoint.metaPayload = context.metaPayload;
      await save();
    }

    // The plan's order, not the checkpoint's keys: Postgres keeps JSON object keys in its own order.
    for (const collection of migratedCollections(context)) {
      const state = checkpoint.collections[collection];
      if (state === undefined || state.done >= state.total) continue;
      uploaded[collection] = 0;
      report({ phase: 'uploading', collection, ...progressOf(checkpoint) });
      const skipped = new Map<SkipReason, number>();
      for await (const page of this.outgoing(context, collection, state.done, skipped)) {
        for (const batch of planUpload(collection, page.records, context.limits)) {
          const records = batch.posts.flat() as Array<OutgoingBso & { position: number }>;
          signal?.throwIfAborted();
          for (let attempt = 0; ; attempt++) {
            try {
              // The extra `position` field is not sent: a BSO is serialized from its own fields only.
              const result = await storage.uploadRecords(collection, records, { ...callOptions, ifUnmodifiedSince: info[collection] ?? 0 });
              const failed = Object.entries(result.failed);
              if (failed.length > 0) throw new MigrationRefusedError(`the target refused ${failed.length} ${collection} record(s): ${failed.slice(0, 5).map(([id, reason]) => `${id} (${reason})`).join(', ')}`);
              if (result.modified !== undefined) info = { ...info, [collection]: result.modified };
              break;
            } catch (error) {
              // Another client wrote to the collection meanwhile: our records keep their ids, so sending the batch again is safe.
              if (!(error instanceof PreconditionFailedError) || attempt >= MAX_PRECONDITION_RETRIES) throw error;
              notices.add(`${collection} changed on the target meanwhile (412): sending the batch again`);
              info = await storage.infoCollections(callOptions);
            }
          }
          uploaded[collection] += records.length;
          state.done = records.at(-1)!.position;
          await save();
          report({ phase: 'uploading', collection, ...progressOf(checkpoint) });
        }
        // Records left out at the end of the page are consumed too.
        if (page.end > state.done) {
          state.done = page.end;
          await save();
        }
      }
      state.done = state.total;
      await save();
      report({ phase: 'uploading', collection, ...progressOf(checkpoint) });
    }
    return uploaded;
  }

  /**
   * Reads every migrated collection back from the target and compares it record by record with
   * the snapshot: payload hashes for what was copied, cleartext for what was re-encrypted, and
   * ids both ways (a record only the target has is reported, except when merging).
   */
  private async verify(context: Context, checkpoint: Checkpoint): Promise<MigrationVerification> {
    const storage = context.targetConnection.storage;
    const mismatches: VerificationMismatch[] = [];
    const collections: MigrationVerification['collections'] = [];
    let mismatchCount = 0;
    const mismatch = (collection: string, id: string, problem: VerificationMismatch['problem']) => {
      mismatchCount += 1;
      if (mismatches.length < MAX_REPORTED_MISMATCHES) mismatches.push({ collection, id, problem });
    };

    // crypto/keys: what matters is that the target's kB opens it to the keys the records are under.
    {
      const before = mismatchCount;
      const record = await storage.getRecord(CRYPTO_COLLECTION, KEYS_RECORD_ID);
      const expected = context.recordKeys ?? context.sourceKeys;
      if (record === null) mismatch(CRYPTO_COLLECTION, KEYS_RECORD_ID, 'missing');
      else {
        try {
          if (CollectionKeys.decrypt(record, context.targetConnection.rootBundle).fingerprint() !== expected.fingerprint()) mismatch(CRYPTO_COLLECTION, KEYS_RECORD_ID, 'differs');
        } catch {
          mismatch(CRYPTO_COLLECTION, KEYS_RECORD_ID, 'undecryptable');
        }
      }
      collections.push({ collection: CRYPTO_COLLECTION, expected: 1, found: record === null ? 0 : 1, mismatches: mismatchCount - before });
    }
    {
      const before = mismatchCount;
      const record = await storage.getRecord(META_COLLECTION, GLOBAL_RECORD_ID);
      const expected = context.writeMeta ? (checkpoint.metaPayload ?? context.metaPayload ?? context.sourceMetaPayload) : null;
      if (record === null) mismatch(META_COLLECTION, GLOBAL_RECORD_ID, 'missing');
      else if (expected !== null && record.payload !== expected) mismatch(META_COLLECTION, GLOBAL_RECORD_ID, 'differs');
      collections.push({ collection: META_COLLECTION, expected: 1, found: record === null ? 0 : 1, mismatches: mismatchCount - before });
    }

    for (const collection of migratedCollections(context)) {
      const before = mismatchCount;
      const onTarget = new Map<string, string>();
      for await (const page of storage.readRecords(collection)) for (const bso of page) onTarget.set(bso.id, bso.payload);
      let expected = 0;
      const seen = new Set<string>();
      const nowMs = this.clock().getTime();
      for (let offset = 0; ; offset += MAX_SOURCE_PAGE) {
        const versions = await this.repository.visibleVersions(context.source.id, context.snapshot.seq, collection, { offset, limit: MAX_SOURCE_PAGE });
        for (const version of versions) {
          seen.add(version.bsoId);
          // Expired at upload (left out) or since (gone from the target): not expected either way.
          const ttl = remainingTtlSeconds(collection, version.modified, nowMs);
          if (ttl !== null && ttl <= 0) continue;
          expected += 1;
          const payload = onTarget.get(version.bsoId);
          if (payload === undefined) {
            mismatch(collection, version.bsoId, 'missing');
            continue;
          }
          // A newer record the merge kept is the target's own.
          const targetRecord = context.targetRecords.get(collection)?.get(version.bsoId);
          if (targetRecord !== undefined && targetRecord.modified > version.modified) continue;
          if (!context.reencrypt) {
            if (payloadHash(payload) !== version.blobHash) mismatch(collection, version.bsoId, 'differs');
            continue;
          }
          let sourceText: string;
          try {
            sourceText = stableJson(decryptBso(collection, { id: version.bsoId, payload: version.payload }, context.sourceKeys));
          } catch {
            continue; // left out of the upload for the same reason
          }
          try {
            const targetText = stableJson(decryptBso(collection, { id: version.bsoId, payload }, context.recordKeys!));
            if (targetText !== sourceText) mismatch(collection, version.bsoId, 'differs');
          } catch {
            mismatch(collection, version.bsoId, 'undecryptable');
          }
        }
        if (versions.length < MAX_SOURCE_PAGE) break;
      }
      if (context.mode !== 'merge') for (const id of onTarget.keys()) if (!seen.has(id)) mismatch(collection, id, 'unexpected');
      collections.push({ collection, expected, found: onTarget.size, mismatches: mismatchCount - before });
    }
    return { ok: mismatchCount === 0, collections, mismatches };
  }
}

function migratedCollections(context: Context): string[] {
  return context.collections.filter((collection) => collection.dropped === null).map((collection) => collection.name);
}

function sourcePageSize(limits: ServerLimits): number {
  return Number.isFinite(limits.max_total_records) ? Math.max(1, Math.min(MAX_SOURCE_PAGE, limits.max_total_records)) : MAX_SOURCE_PAGE;
}

function keysPurpose(migrationId: string): string {
  return `migration:${migrationId}:keys`;
}

/** Whether the source's crypto/keys opens with the target's root key: the same kB on both sides. */
function opensWith(record: StoredRecordVersion, connection: SyncConnection): boolean {
  try {
    CollectionKeys.decrypt({ id: KEYS_RECORD_ID, payload: record.payload }, connection.rootBundle);
    return true;
  } catch {
    return false;
  }
}

function viewOf(row: {
  id: string;
  sourceAccountId: string;
  targetAccountId: string;
  sourceSeq: number;
  mode: string;
  rekey: boolean;
  status: string;
  checkpoint: unknown;
  result: unknown;
  error: string | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}): MigrationView {
  const checkpoint = (row.checkpoint ?? {}) as Partial<Checkpoint>;
  const { done, total } = progressOf({ wiped: false, keys: false, meta: false, collections: checkpoint.collections ?? {} });
  return {
    id: row.id,
    sourceAccountId: row.sourceAccountId,
    targetAccountId: row.targetAccountId,
    sourceSeq: row.sourceSeq,
    mode: row.mode as MigrationMode,
    rekey: row.rekey,
    status: row.status as MigrationStatus,
    done,
    total,
    result: (row.result ?? null) as MigrationResult | null,
    error: row.error,
    startedAt: row.startedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
