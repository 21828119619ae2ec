/**
 * Puts records of a snapshot back into the live account: always a plan first (the exact records
 * to write or delete, against the server's state at that moment), then, when asked, a
 * pre-restore snapshot, the writes with X-If-Unmodified-Since (a 412 means someone else wrote:
 * the plan is made again against the new state, never forced), the bookmarks wipe command for
 * whole-tree restores, and a read-back that the server holds what the plan said.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AccountService } from '../accounts/index.js';
import type { BackupEngine } from '../backup/index.js';
import type { SnapshotReader } from '../history/index.js';
import { AccountLock, type PrismaClient } from '../store/index.js';
import {
  BookmarkTree,
  COLLECTION_TTL_SECONDS,
  decryptBso,
  encryptRecord,
  fetchCollectionKeys,
  normalizeBookmarkId,
  PreconditionFailedError,
  type BookmarkItem,
  type CollectionKeys,
  type CollectionsInfo,
  type OutgoingBso,
  type SyncConnection,
  type Tombstone,
} from '../sync/index.js';
import { isLiveItem, planBookmarkRestore, planBookmarkTreeRestore, stableJson, subtreeIds, type BookmarkJson } from './bookmark-plan.js';
import type { PlannedCollection, PlannedReason, PlannedRecord, RestorePlan, RestoreProgress, RestoreRequest, RestoreResult } from './types.js';

/** Collections a restore may write. meta/global and crypto/keys stay as the server has them (new syncIDs or keys would make every client reset or wipe); clients and tabs are device state. */
export const RESTORABLE_COLLECTIONS = ['bookmarks', 'history', 'passwords', 'forms', 'prefs', 'addons', 'addresses', 'creditcards'] as const;
const CLIENTS = 'clients';
const MAX_PLANS = 4;

export interface RestoreApplyOptions {
  onProgress?: (progress: RestoreProgress) => void;
  /** Called with each plan just before its writes (again after every re-plan). */
  beforeWrite?: (plan: RestorePlan) => Promise<void> | void;
}

export class RestoreError extends Error {
  override readonly name = 'RestoreError';
}

export interface RestoreServiceOptions {
  prisma: PrismaClient;
  databaseUrl: string;
  accounts: Pick<AccountService, 'get' | 'openConnection'>;
  reader: Pick<SnapshotReader, 'collectionRecords'>;
  backup: Pick<BackupEngine, 'run'>;
  clock?: () => Date;
}

/** A decrypted record with what it takes to write it again. */
interface Cleartext {
  json: BookmarkJson;
  sortindex: number | null;
}

interface LiveCollection {
  lastModified: number;
  records: Map<string, Cleartext>;
  /** Ids whose payload does not decrypt with the current keys. */
  unreadable: string[];
}

interface PreparedWrite {
  id: string;
  action: 'write' | 'delete';
  reason: PlannedReason;
  json: BookmarkJson;
  sortindex: number | null;
}

interface Prepared {
  plan: RestorePlan;
  writes: Map<string, PreparedWrite[]>;
  keys: CollectionKeys;
  live: Map<string, LiveCollection>;
}

function labelOf(collection: string, json: Record<string, unknown>): string {
  const pick = (...keys: string[]) => keys.map((key) => json[key]).find((value): value is string => typeof value === 'string' && value !== '');
  const entry = (json['entry'] ?? {}) as Record<string, unknown>;
  switch (collection) {
    case 'bookmarks':
      return [pick('title'), pick('bmkUri')].filter(Boolean).join(' — ') || String(json['type'] ?? json['id']);
    case 'history':
      return pick('title', 'histUri') ?? String(json['id']);
    case 'passwords':
      return [pick('hostname'), pick('username')].filter(Boolean).join(' · ') || String(json['id']);
    case 'forms':
      return pick('name') ?? String(json['id']);
    case 'addons':
      return pick('addonID') ?? String(json['id']);
    case 'addresses':
      return typeof entry['name'] === 'string' ? entry['name'] : String(json['id']);
    case 'creditcards':
      return typeof entry['cc-name'] === 'string' ? entry['cc-name'] : String(json['id']);
    default:
      return String(json['id']);
  }
}

function toBookmarkMap(records: Map<string, Cleartext>): Map<string, BookmarkJson> {
  const result = new Map<string, BookmarkJson>();
  for (const [id, record] of records) result.set(normalizeBookmarkId(id), { ...record.json, id: normalizeBookmarkId(id) });
  return result;
}

function treeOf(records: Iterable<BookmarkJson>): BookmarkTree {
  return BookmarkTree.fromRecords([...records] as unknown as Array<BookmarkItem | Tombstone>);
}

export class RestoreService {
  private readonly clock: () => Date;

  constructor(private readonly options: RestoreServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** The plan for `request` against the live server as it is now. Writes nothing. */
  async plan(request: RestoreRequest): Promise<RestorePlan> {
    const connection = await this.options.accounts.openConnection(request.account);
    return (await this.prepare(request, connection)).plan;
  }

  /**
   * Makes the plan again (the server may have changed since it was shown), takes a pre-restore
   * snapshot, writes, notifies other clients where the plan says so, and checks the result.
   */
  async apply(request: RestoreRequest, options: RestoreApplyOptions = {}): Promise<RestoreResult> {
    const onProgress = options.onProgress ?? (() => undefined);
    const account = await this.options.accounts.get(request.account);
    onProgress({ phase: 'pre-restore-snapshot' });
    const snapshot = await this.options.backup.run({
      accountId: account.id,
      trigger: 'pre-restore',
      tags: ['pre-restore'],
      connection: await this.options.accounts.openConnection(account.id),
    });
    return AccountLock.with(this.options.databaseUrl, account.id, async () => {
      const connection = await this.options.accounts.openConnection(account.id);
      let replans = 0;
      for (;;) {
        onProgress({ phase: 'planning' });
        const prepared = await this.prepare(request, connection);
        await options.beforeWrite?.(prepared.plan);
        try {
          const written = await this.write(connection, prepared, onProgress);
          onProgress({ phase: 'notifying-clients' });
          const clientsNotified = prepared.plan.clientCommand === null ? [] : await this.notifyClients(connection, prepared.keys);
          onProgress({ phase: 'verifying' });
          const verification = await this.verify(connection, prepared);
          const bookmarkValidation =
            prepared.plan.bookmarkValidation === null
              ? null
              : { before: prepared.plan.bookmarkValidation.before, after: treeOf(toBookmarkMap((await this.readLive(connection, 'bookmarks', prepared.keys)).records).values()).problemCounts() };
          onProgress({ phase: 'done' });
          return { plan: prepared.plan, replans, preRestoreSnapshot: { seq: snapshot.seq }, written, clientsNotified, verification, bookmarkValidation };
        } catch (error) {
          if (!(error instanceof PreconditionFailedError) || replans + 1 >= MAX_PLANS) throw error;
          replans += 1;
        }
      }
    });
  }

  private async prepare(request: RestoreRequest, connection: SyncConnection): Promise<Prepared> {
    const account = await this.options.accounts.get(request.account);
    const keys = await fetchCollectionKeys(connection);
    if (keys === undefined) throw new RestoreError('the live server has no crypto/keys (the account was wiped): a restore writes into an existing account; moving everything into an empty one is a migration');
    const snapshotKeys = await this.options.prisma.snapshot.findUnique({ where: { accountId_seq: { accountId: account.id, seq: request.from } }, select: { keyFingerprint: true } });
    const { target } = request;
    const collections = this.collectionsOf(request);
    const live = new Map<string, LiveCollection>();
    const info = await connection.storage.infoCollections();
    for (const collection of collections) live.set(collection, await this.readLive(connection, collection, keys, info));
    const notes: string[] = [];
    const writes = new Map<string, PreparedWrite[]>();

    for (const collection of collections) {
      const liveCollection = live.get(collection)!;
      if (liveCollection.unreadable.length > 0) notes.push(`${liveCollection.unreadable.length} ${collection} record(s) on the server do not decrypt with the account's keys: ${liveCollection.unreadable.slice(0, 5).join(', ')}`);
      const snapshot = await this.readSnapshot(account.id, request.from, collection, notes);
      if (collection === 'bookmarks') {
        writes.set(collection, await this.bookmarkWrites(request, account.id, snapshot, liveCollection));
      } else if (target.kind === 'password') {
        const record = snapshot.get(target.id);
        if (record === undefined || record.json['deleted'] === true) throw new RestoreError(`snapshot ${request.from} has no login ${target.id}`);
        const current = liveCollection.records.get(target.id);
        writes.set(collection, current !== undefined && stableJson(current.json) === stableJson(record.json) ? [] : [{ id: target.id, action: 'write', reason: 'restored', json: record.json, sortindex: record.sortindex }]);
      } else {
        writes.set(collection, collectionWrites(snapshot, liveCollection.records));
      }
    }

    const wholeTree = target.kind === 'all' || (target.kind === 'collection' && target.collection === 'bookmarks');
    let clientCommand: RestorePlan['clientCommand'] = null;
    if (wholeTree && (writes.get('bookmarks')?.length ?? 0) > 0) {
      const clients = await this.readLive(connection, CLIENTS, keys);
      clientCommand = {
        command: 'wipeEngine',
        args: ['bookmarks'],
        clients: [...clients.records.values()].filter((client) => client.json['deleted'] !== true).map((client) => ({ id: client.json.id, name: typeof client.json['name'] === 'string' ? client.json['name'] : client.json.id })),
      };
      if (clientCommand.clients.length === 0) notes.push('no other device is connected: there is no client to send the bookmarks wipe command to');
    }

    let bookmarkValidation: RestorePlan['bookmarkValidation'] = null;
    const liveBookmarks = live.get('bookmarks');
    if (liveBookmarks !== undefined) {
      const current = toBookmarkMap(liveBookmarks.records);
      const after = new Map(current);
      for (const write of writes.get('bookmarks') ?? []) after.set(write.id, write.json);
      bookmarkValidation = { before: treeOf(current.values()).problemCounts(), predicted: treeOf(after.values()).problemCounts() };
    }

    const plannedCollections: PlannedCollection[] = collections.map((collection) => ({
      collection,
      ifUnmodifiedSince: live.get(collection)!.lastModified,
      records: (writes.get(collection) ?? []).map((write): PlannedRecord => ({ id: write.id, action: write.action, reason: write.reason, label: labelOf(collection, write.action === 'delete' ? (live.get(collection)!.records.get(write.id)?.json ?? write.json) : write.json) })),
    }));
    const totalChanges = plannedCollections.reduce((sum, collection) => sum + collection.records.length, 0);
    if (totalChanges === 0) notes.push('the server already holds what the snapshot has: nothing to write');
    return {
      plan: {
        accountId: account.id,
        accountName: account.name,
        from: request.from,
        target,
        intoNewFolder: request.intoNewFolder === true,
        collections: plannedCollections,
        clientCommand,
        bookmarkValidation,
        keysChanged: snapshotKeys?.keyFingerprint !== null && snapshotKeys?.keyFingerprint !== undefined && snapshotKeys.keyFingerprint !== keys.fingerprint(),
        notes,
        totalChanges,
      },
      writes,
      keys,
      live,
    };
  }

  private collectionsOf(request: RestoreRequest): string[] {
    const { target } = request;
    switch (target.kind) {
      case 'bookmark':
      case 'folder':
      case 'deleted-bookmarks':
        return ['bookmarks'];
      case 'password':
        return ['passwords'];
      case 'collection':
        if (!(RESTORABLE_COLLECTIONS as readonly string[]).includes(target.collection)) {
          throw new RestoreError(`${target.collection} cannot be restored: only ${RESTORABLE_COLLECTIONS.join(', ')} (meta/global and crypto/keys stay as the server has them; clients and tabs are device state)`);
        }
        return [target.collection];
      case 'all':
        return [...RESTORABLE_COLLECTIONS];
    }
  }

  private async bookmarkWrites(request: RestoreRequest, accountId: string, snapshotRecords: Map<string, Cleartext>, live: LiveCollection): Promise<PreparedWrite[]> {
    let snapshot = toBookmarkMap(snapshotRecords);
    const liveMap = toBookmarkMap(live.records);
    const sortindexOf = (id: string) => snapshotRecords.get(id)?.sortindex ?? live.records.get(id)?.sortindex ?? null;
    const { target } = request;
    if (target.kind === 'collection' || target.kind === 'all') {
      return planBookmarkTreeRestore(snapshot, liveMap).map((change) => ({ id: change.id, action: change.reason === 'deleted' ? 'delete' : 'write', reason: change.reason, json: change.record, sortindex: sortindexOf(change.id) }));
    }
    let ids: string[];
    if (target.kind === 'bookmark') {
      ids = [normalizeBookmarkId(target.id)];
    } else if (target.kind === 'folder') {
      ids = subtreeIds(snapshot, target.id);
      if (ids.length === 0) throw new RestoreError(`snapshot ${request.from} has no bookmark folder ${target.id}`);
      if (snapshot.get(ids[0]!)?.['type'] !== 'folder') throw new RestoreError(`${target.id} is not a folder in snapshot ${request.from}: restore it with --bookmark`);
    } else if (target.kind === 'deleted-bookmarks') {
      // The items snapshot `since` had, that are gone by snapshot `from` (or, when they are the same, from the server), restored as `since` had them.
      if (target.since > request.from) throw new RestoreError(`--deleted-since ${target.since} must name a snapshot before --from ${request.from} (or the same one, for what is gone from the server now)`);
      const gone = target.since === request.from ? undefined : snapshot;
      if (gone !== undefined) snapshot = toBookmarkMap(await this.readSnapshot(accountId, target.since, 'bookmarks', []));
      const had = snapshot;
      ids = [...had.keys()].filter((id) => isLiveItem(had.get(id)) && (gone === undefined || !isLiveItem(gone.get(id))) && !isLiveItem(liveMap.get(id)));
      if (ids.length === 0) return [];
    } else {
      throw new RestoreError(`a ${target.kind} restore does not write bookmarks`);
    }
    const now = this.clock();
    const intoNewFolder = request.intoNewFolder === true ? { id: newGuid(), title: `Restored ${now.toISOString().slice(0, 10)}`, dateAdded: now.getTime() } : undefined;
    try {
      return planBookmarkRestore({ snapshot, live: liveMap, ids, ...(intoNewFolder !== undefined && { intoNewFolder }) }).map((change) => ({ id: change.id, action: 'write', reason: change.reason, json: change.record, sortindex: sortindexOf(change.id) }));
    } catch (error) {
      if (error instanceof Error && error.name === 'BookmarkRestoreError') throw new RestoreError(error.message);
      throw error;
    }
  }

  private async readSnapshot(accountId: string, seq: number, collection: string, notes: string[]): Promise<Map<string, Cleartext>> {
    const records = new Map<string, Cleartext>();
    let unreadable = 0;
    for await (const record of this.options.reader.collectionRecords(accountId, seq, collection, { revealSecrets: true })) {
      if (record.cleartext === null) unreadable += 1;
      else records.set(record.id, { json: { ...record.cleartext, id: record.id }, sortindex: record.sortindex });
    }
    if (unreadable > 0) notes.push(`${unreadable} ${collection} record(s) of snapshot ${seq} do not decrypt and are left out`);
    return records;
  }

  /** A live collection decrypted; `info` (info/collections read once for several collections) gives its timestamp. */
  private async readLive(connection: SyncConnection, collection: string, keys: CollectionKeys, info?: CollectionsInfo): Promise<LiveCollection> {
    info ??= await connection.storage.infoCollections();
    const lastModified = info[collection] ?? 0;
    const records = new Map<string, Cleartext>();
    const unreadable: string[] = [];
    for await (const page of connection.storage.readRecords(collection, lastModified > 0 ? { ifUnmodifiedSince: lastModified } : {})) {
      for (const bso of page) {
        try {
          records.set(bso.id, { json: { ...decryptBso(collection, bso, keys), id: bso.id }, sortindex: bso.sortindex ?? null });
        } catch {
          unreadable.push(bso.id);
        }
      }
    }
    return { lastModified, records, unreadable };
  }

  private async write(connection: SyncConnection, prepared: Prepared, onProgress: (progress: RestoreProgress) => void): Promise<RestoreResult['written']> {
    const written: RestoreResult['written'] = [];
    for (const planned of prepared.plan.collections) {
      const writes = prepared.writes.get(planned.collection) ?? [];
      if (writes.length === 0) continue;
      onProgress({ phase: 'writing', collection: planned.collection, done: 0, total: writes.length });
      const ttl = COLLECTION_TTL_SECONDS[planned.collection];
      const bsos: OutgoingBso[] = writes.map((write) => ({
        id: write.id,
        payload: encryptRecord(planned.collection, write.json, prepared.keys),
        ...(write.sortindex !== null && { sortindex: write.sortindex }),
        ...(ttl !== undefined && { ttl }),
      }));
      // One upload (an atomic batch where the server has them) guarded by the state planned against.
      const result = await connection.storage.uploadRecords(planned.collection, bsos, { ifUnmodifiedSince: planned.ifUnmodifiedSince });
      const failed = Object.entries(result.failed);
      if (failed.length > 0) throw new RestoreError(`the server refused ${failed.length} ${planned.collection} record(s): ${failed.slice(0, 3).map(([id, reason]) => `${id} (${reason})`).join(', ')}`);
      for (const write of writes) written.push({ collection: planned.collection, id: write.id, action: write.action });
      onProgress({ phase: 'writing', collection: planned.collection, done: writes.length, total: writes.length });
    }
    return written;
  }

  /** Appends the bookmarks wipe command to every client record, each guarded by its own timestamp. */
  private async notifyClients(connection: SyncConnection, keys: CollectionKeys): Promise<string[]> {
    const notified: string[] = [];
    const flowID = randomUUID();
    for await (const page of connection.storage.readRecords(CLIENTS)) {
      for (const bso of page) {
        for (let attempt = 0; ; attempt++) {
          const current = attempt === 0 ? bso : await connection.storage.getRecord(CLIENTS, bso.id);
          if (current === null) break;
          let client: Record<string, unknown>;
          try {
            client = decryptBso(CLIENTS, current, keys);
          } catch {
            break; // a client record we cannot read is not one we can safely rewrite
          }
          if (client['deleted'] === true) break;
          const commands = Array.isArray(client['commands']) ? client['commands'] : [];
          const payload = encryptRecord(CLIENTS, { ...client, id: current.id, commands: [...commands, { command: 'wipeEngine', args: ['bookmarks'], flowID }] }, keys);
          try {
            await connection.storage.putRecord(CLIENTS, { id: current.id, payload, ttl: COLLECTION_TTL_SECONDS[CLIENTS]! }, { ifUnmodifiedSince: current.modified });
            notified.push(typeof client['name'] === 'string' ? client['name'] : current.id);
            break;
          } catch (error) {
            // The device itself wrote its record meanwhile: read it again and add the command to that.
            if (!(error instanceof PreconditionFailedError) || attempt >= 2) throw error;
          }
        }
      }
    }
    return notified;
  }

  private async verify(connection: SyncConnection, prepared: Prepared): Promise<RestoreResult['verification']> {
    const mismatches: RestoreResult['verification']['mismatches'] = [];
    const info = await connection.storage.infoCollections();
    for (const [collection, writes] of prepared.writes) {
      if (writes.length === 0) continue;
      const live = await this.readLive(connection, collection, prepared.keys, info);
      for (const write of writes) {
        const now = live.records.get(write.id);
        if (now === undefined) mismatches.push({ collection, id: write.id, problem: 'not on the server' });
        else if (stableJson(now.json) !== stableJson(write.json)) mismatches.push({ collection, id: write.id, problem: write.action === 'delete' ? 'not deleted' : 'differs from what was written' });
      }
    }
    return { ok: mismatches.length === 0, mismatches };
  }
}

/** Records of a whole collection that differ: the snapshot's written back, newer ones deleted. */
function collectionWrites(snapshot: Map<string, Cleartext>, live: Map<string, Cleartext>): PreparedWrite[] {
  const writes: PreparedWrite[] = [];
  for (const [id, record] of snapshot) {
    if (record.json['deleted'] === true) continue;
    const current = live.get(id);
    if (current === undefined || stableJson(current.json) !== stableJson(record.json)) writes.push({ id, action: 'write', reason: 'restored', json: record.json, sortindex: record.sortindex });
  }
  for (const [id, record] of live) {
    if (record.json['deleted'] === true) continue;
    const original = snapshot.get(id);
    if (original === undefined || original.json['deleted'] === true) writes.push({ id, action: 'delete', reason: 'deleted', json: { id, deleted: true }, sortindex: null });
  }
  return writes;
}

/** A new record id in Firefox's style: 12 characters of URL-safe base64. */
function newGuid(): string {
  return randomBytes(9).toString('base64url');
}
