/**
 * The seams between the sandbox's parts. The storage servers, the identity servers (accounts and
 * tokenserver), the seed generator and the control API meet only through these types.
 */

/** info/configuration as syncstorage-rs reports it (bytes unless named otherwise). */
export interface StorageLimits {
  max_request_bytes: number;
  max_post_records: number;
  max_post_bytes: number;
  max_total_records: number;
  max_total_bytes: number;
  max_record_payload_bytes: number;
  /** Per-user quota in bytes; 0 = no quota (then no X-Weave-Quota-Remaining). */
  max_quota_limit: number;
}

export const DEFAULT_STORAGE_LIMITS: StorageLimits = {
  max_request_bytes: 2_625_536,
  max_post_records: 100,
  max_post_bytes: 2_621_440,
  max_total_records: 10_000,
  max_total_bytes: 262_144_000,
  max_record_payload_bytes: 2_621_440,
  max_quota_limit: 0,
};

/** One record as a writer hands it to storage (what a client PUTs/POSTs). */
export interface BsoWrite {
  id: string;
  payload: string;
  sortindex?: number;
  /** Seconds to live from the write; absent = forever. */
  ttl?: number;
}

/** One record as storage holds it. Times are integer milliseconds (10 ms resolution on the wire). */
export interface StoredBso {
  id: string;
  modified: number;
  payload: string;
  sortindex?: number;
  /** Absolute expiry in ms; absent = never. Expired records are invisible to every read. */
  expiresAt?: number;
}

/** One user's storage, shared by the 1.5 and 1.1 front ends. */
export interface UserStore {
  /** Writes records the way a client write would (new server timestamp, collection timestamp moves); returns that timestamp. */
  writeRecords(collection: string, records: BsoWrite[]): number;
  /** Hard-deletes records (no tombstone), moving the collection timestamp. */
  deleteRecords(collection: string, ids: string[]): number;
  /** Live (unexpired) records of a collection. */
  records(collection: string): StoredBso[];
  /** Collection name -> last-modified ms, for collections that exist. */
  collections(): Record<string, number>;
  /** Collection name -> live record count, for collections that hold live records. */
  collectionCounts(): Record<string, number>;
  /** Deletes everything of this user. */
  wipe(): void;
}

export interface StorageBackend {
  /** The user's store, created empty on first use. */
  user(uid: number): UserStore;
  dropUser(uid: number): void;
}

/** A legacy Sync 1.1 user as the 1.1 server and its user API see it. */
export interface LegacyUser {
  /** The 1.1 username (sha1-base32 of the lowercased email, or a plain name). */
  username: string;
  password: string;
  storageUid: number;
}

export interface LegacyDirectory {
  find(username: string): LegacyUser | undefined;
}

/** Cleartext records a seed produces for one collection, before encryption. */
export interface SeedCollection {
  collection: string;
  records: Array<{ cleartext: Record<string, unknown> & { id: string }; sortindex?: number; ttl?: number }>;
}
