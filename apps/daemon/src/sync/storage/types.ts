/**
 * What the backup and restore engines see of a Sync storage server, whatever the protocol
 * (1.5 with tokens and Hawk, or legacy 1.1 with Basic auth). All timestamps are integer ms.
 */

/** A record as stored on the server (`ttl` is write-only and never comes back). */
export interface RemoteBso {
  id: string;
  /** Server timestamp of the last write, integer ms. */
  modified: number;
  sortindex?: number;
  /** Kept byte-for-byte as received: usually an encrypted envelope, cleartext JSON for meta/global. */
  payload: string;
}

/** A record to write. Omitted fields keep their server-side value on update. */
export interface OutgoingBso {
  id: string;
  payload: string;
  sortindex?: number;
  /** Seconds to live. */
  ttl?: number;
}

/** Collection name → last-modified (ms). */
export type CollectionsInfo = Record<string, number>;

/** info/quota: usage and quota in KB (`null` quota = unlimited). */
export interface QuotaInfo {
  usedKb: number;
  quotaKb: number | null;
}

/**
 * info/configuration, keyed exactly as on the wire (§5.7) so it can be stored as is.
 * `Infinity` = the server sets no such limit.
 */
export interface ServerLimits {
  max_request_bytes: number;
  max_post_records: number;
  max_post_bytes: number;
  max_total_records: number;
  max_total_bytes: number;
  max_record_payload_bytes: number;
  /** syncstorage-rs only. */
  max_quota_limit?: number;
}

export type SortOrder = 'newest' | 'oldest' | 'index';

export interface CallOptions {
  /** Aborting rejects the call with the signal's reason, also while waiting out a backoff. */
  signal?: AbortSignal;
}

export interface ReadOptions extends CallOptions {
  /** Only these ids (sent in chunks of at most 100). */
  ids?: readonly string[];
  /** Strictly newer than this timestamp (ms). */
  newer?: number;
  /** Strictly older than this timestamp (ms). */
  older?: number;
  /** Default `oldest`: paging needs a stable order. */
  sort?: SortOrder;
  /** Records per page. The iteration still covers every match: stop iterating to read fewer. */
  limit?: number;
  /**
   * Fail with PreconditionFailedError if the collection changed after this timestamp (ms).
   * Without it, the first page's last-modified guards the later pages.
   */
  ifUnmodifiedSince?: number;
}

export interface WriteOptions extends CallOptions {
  /** Fail with PreconditionFailedError if the target changed after this timestamp (ms); 0 = create only. */
  ifUnmodifiedSince?: number;
}

export interface WriteResult {
  /** The server timestamp of this write (ms). */
  modified: number;
  /** X-Weave-Quota-Remaining, in KB, when the server reports it. */
  quotaRemainingKb?: number;
}

export interface UploadResult {
  /** Timestamp of the last committed write (ms); absent when there was nothing to send. */
  modified?: number;
  /** Ids the server stored. */
  success: string[];
  /** Id → reason, for ids the server refused (after resending those it asked to retry). */
  failed: Record<string, string>;
  quotaRemainingKb?: number;
}

/** `X-Weave-Alert`: free text, or JSON `{code: "soft-eol" | "hard-eol", message, url}`. */
export interface WeaveAlert {
  code?: string;
  message: string;
  url?: string;
}

/** Things the server tells the client besides the answer itself. */
export type ServerNotice =
  | { kind: 'backoff'; seconds: number; url: string }
  | { kind: 'quota-remaining'; kilobytes: number; url: string }
  | { kind: 'alert'; alert: WeaveAlert; status: number; url: string }
  | { kind: 'node-reassigned'; previous: string; current: string };

export type ServerNoticeListener = (notice: ServerNotice) => void;

/** The storage operations both protocol clients implement. */
export interface SyncStorageClient {
  infoCollections(options?: CallOptions): Promise<CollectionsInfo>;
  infoQuota(options?: CallOptions): Promise<QuotaInfo>;
  /** Collection → record count. */
  collectionCounts(options?: CallOptions): Promise<Record<string, number>>;
  /** Collection → KB used (expensive on the server). */
  collectionUsage(options?: CallOptions): Promise<Record<string, number>>;
  /** Upload limits; documented defaults when the server has no info/configuration. */
  configuration(options?: CallOptions): Promise<ServerLimits>;
  /** Full records, one array per page; an unknown collection yields nothing. */
  readRecords(collection: string, options?: ReadOptions): AsyncIterable<RemoteBso[]>;
  /** Every matching id, all pages read. */
  readIds(collection: string, options?: ReadOptions): Promise<string[]>;
  /** `null` when the record does not exist. */
  getRecord(collection: string, id: string, options?: CallOptions): Promise<RemoteBso | null>;
  putRecord(collection: string, record: OutgoingBso, options?: WriteOptions): Promise<WriteResult>;
  /** Many records, split to respect the server limits (atomic batches where the server has them). */
  uploadRecords(collection: string, records: readonly OutgoingBso[], options?: WriteOptions): Promise<UploadResult>;
  /** Deletes these records (at most 100 per request); `null` when `ids` is empty and nothing was sent. */
  deleteRecords(collection: string, ids: readonly string[], options?: WriteOptions): Promise<WriteResult | null>;
  deleteCollection(collection: string, options?: WriteOptions): Promise<WriteResult>;
  /** Deletes every collection of the user. */
  deleteAll(options?: CallOptions): Promise<void>;
}
