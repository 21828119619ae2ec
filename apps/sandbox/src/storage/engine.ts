/**
 * The in-memory store behind both storage front ends (1.5 and 1.1): users -> collections ->
 * records, with the timestamp rules of syncstorage-rs:
 *
 * - every write takes one time T, above everything the user wrote before (sync-protocols.md §5.9),
 *   and stamps the collection with T even when the write changed nothing (deletes included);
 * - records carry an absolute expiry; expired ones are invisible to every read and count nowhere;
 * - deleting a whole collection removes it from info/collections and moves the store's timestamp.
 */
import type { StorageBackend, StoredBso, UserStore } from '../contracts.js';
import { PendingBatches, type PendingBatch } from './batches.js';
import { runQuery, sortRecords, type CollectionQuery, type Ordering, type QueryPage } from './query.js';
import { TIMESTAMP_RESOLUTION_MS, floorToResolution } from './timestamps.js';

/** A client write: omitted fields keep the stored values (a BsoWrite is one with a payload). */
export interface BsoUpdate {
  id: string;
  payload?: string;
  sortindex?: number;
  /** Seconds to live from the write. */
  ttl?: number;
}

export interface StorageEngineOptions {
  /** Wall clock in ms; tests inject their own to drive ttl and batch expiry. */
  now?: () => number;
}

class Collection {
  readonly records = new Map<string, StoredBso>();
  private readonly sorted = new Map<Ordering, StoredBso[]>();

  constructor(public modified: number) {}

  /** Records in `ordering`, sorted once per change of the collection. */
  sortedBy(ordering: Ordering): StoredBso[] {
    let sorted = this.sorted.get(ordering);
    if (!sorted) {
      sorted = sortRecords(this.records.values(), ordering);
      this.sorted.set(ordering, sorted);
    }
    return sorted;
  }

  changed(): void {
    this.sorted.clear();
  }
}

export class UserStorage implements UserStore {
  private readonly collectionsByName = new Map<string, Collection>();
  /** Timestamp of the last whole-collection delete, which moves the store's last-modified. */
  private tombstone = 0;
  /** Highest time ever handed to a write, surviving wipes, so time never runs backwards. */
  private highWater = 0;
  readonly batches: PendingBatches;

  constructor(private readonly now: () => number) {
    this.batches = new PendingBatches(now);
  }

  isLive = (record: StoredBso): boolean => record.expiresAt === undefined || record.expiresAt > this.now();

  /** The time a write made now gets: strictly above the user's previous writes. */
  private nextTimestamp(): number {
    this.highWater = Math.max(floorToResolution(this.now()), this.highWater + TIMESTAMP_RESOLUTION_MS);
    return this.highWater;
  }

  /** Last-modified of the whole store (0 when empty). */
  storageModified(): number {
    let latest = this.tombstone;
    for (const collection of this.collectionsByName.values()) latest = Math.max(latest, collection.modified);
    return latest;
  }

  /** Last-modified of a collection; 0 when it does not exist. */
  collectionModified(name: string): number {
    return this.collectionsByName.get(name)?.modified ?? 0;
  }

  /** A live record, or undefined. */
  record(collection: string, id: string): StoredBso | undefined {
    const record = this.collectionsByName.get(collection)?.records.get(id);
    return record && this.isLive(record) ? record : undefined;
  }

  query(collection: string, query: CollectionQuery): QueryPage {
    const state = this.collectionsByName.get(collection);
    if (!state) return { records: [] };
    return runQuery(query, (ordering) => state.sortedBy(ordering), (id) => state.records.get(id), this.isLive);
  }

  writeRecords(collection: string, updates: BsoUpdate[]): number {
    const timestamp = this.nextTimestamp();
    this.applyUpdates(collection, updates, timestamp);
    return timestamp;
  }

  /** Same rules as syncstorage-rs: modified moves only when payload or sortindex is written. */
  private applyUpdates(name: string, updates: BsoUpdate[], timestamp: number): void {
    const collection = this.collectionsByName.get(name) ?? new Collection(timestamp);
    this.collectionsByName.set(name, collection);
    for (const update of updates) {
      const existing = collection.records.get(update.id);
      const previous = existing && this.isLive(existing) ? existing : undefined;
      const contentChanged = !previous || update.payload !== undefined || update.sortindex !== undefined;
      const sortindex = update.sortindex ?? previous?.sortindex;
      const expiresAt = update.ttl !== undefined ? timestamp + update.ttl * 1000 : previous?.expiresAt;
      collection.records.set(update.id, {
        id: update.id,
        modified: contentChanged ? timestamp : (previous as StoredBso).modified,
        payload: update.payload ?? previous?.payload ?? '',
        ...(sortindex !== undefined ? { sortindex } : {}),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
      });
    }
    collection.modified = timestamp;
    collection.changed();
  }

  /** Deletes the named records; the collection (if it exists) is stamped even if none existed. Returns the new timestamp, or the store's when the collection does not exist. */
  deleteRecords(name: string, ids: string[]): number {
    const collection = this.collectionsByName.get(name);
    if (!collection) return this.storageModified();
    const timestamp = this.nextTimestamp();
    for (const id of ids) collection.records.delete(id);
    collection.modified = timestamp;
    collection.changed();
    return timestamp;
  }

  /** Deletes one live record; undefined when there was none. */
  deleteRecord(name: string, id: string): number | undefined {
    if (!this.record(name, id)) return undefined;
    return this.deleteRecords(name, [id]);
  }

  /** Drops a collection; returns the store's last-modified afterwards. */
  deleteCollection(name: string): number {
    if (this.collectionsByName.delete(name)) this.tombstone = this.nextTimestamp();
    return this.storageModified();
  }

  records(collection: string): StoredBso[] {
    return this.query(collection, {}).records;
  }

  collections(): Record<string, number> {
    const result: Record<string, number> = {};
    for (const [name, collection] of this.collectionsByName) result[name] = collection.modified;
    return result;
  }

  /** Live payload bytes per collection that holds live records. */
  collectionUsage(): Record<string, number> {
    return this.perCollection((records) => records.reduce((sum, record) => sum + Buffer.byteLength(record.payload), 0));
  }

  /** Live record count per collection that holds live records. */
  collectionCounts(): Record<string, number> {
    return this.perCollection((records) => records.length);
  }

  /** Live payload bytes of the whole store. */
  usageBytes(): number {
    return Object.values(this.collectionUsage()).reduce((sum, bytes) => sum + bytes, 0);
  }

  private perCollection(measure: (records: StoredBso[]) => number): Record<string, number> {
    const result: Record<string, number> = {};
    for (const [name, collection] of this.collectionsByName) {
      const live = [...collection.records.values()].filter(this.isLive);
      if (live.length > 0) result[name] = measure(live);
    }
    return result;
  }

  /** Applies a pending batch plus the commit request's own records at one timestamp. */
  commitBatch(batch: PendingBatch, updates: BsoUpdate[]): number {
    this.batches.remove(batch.id);
    return this.writeRecords(batch.collection, [...batch.updates, ...updates]);
  }

  wipe(): void {
    this.collectionsByName.clear();
    this.batches.clear();
    this.tombstone = 0;
  }
}

export class StorageEngine implements StorageBackend {
  private readonly users = new Map<number, UserStorage>();
  readonly now: () => number;

  constructor(options: StorageEngineOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  user(uid: number): UserStorage {
    let user = this.users.get(uid);
    if (!user) {
      user = new UserStorage(this.now);
      this.users.set(uid, user);
    }
    return user;
  }

  dropUser(uid: number): void {
    this.users.delete(uid);
  }
}

