import type { SyncConnection } from '../sync/connection.js';
import type { SyncTraffic } from './traffic.js';

/** What a running backup reports, often: enough for a progress bar and the dashboard. */
export interface BackupProgress {
  accountId: string;
  snapshotSeq: number;
  phase: 'starting' | 'collections' | 'finishing';
  /** The collection being read, during `collections`. */
  collection?: string;
  /** Records of `collection` handled so far, and how many it holds (its ids list). */
  done: number;
  total: number;
  collectionsDone: number;
  collectionsTotal: number;
}

export type BackupTrigger = 'schedule' | 'manual' | 'pre-restore' | 'demo' | 'migration';

export interface BackupRequest {
  accountId: string;
  trigger: BackupTrigger;
  /** E.g. `pre-restore`: tagged snapshots are kept by retention until removed by hand. */
  tags?: string[];
  connection: SyncConnection;
  onProgress?: (progress: BackupProgress) => void;
  signal?: AbortSignal;
  /**
   * The meter whose connectionOptions() built `connection`: the snapshot's stats then count real
   * HTTP requests, response bytes and backoff notices. Without it, requests are counted as
   * storage calls (info reads, ids lists and pages) and notices are not seen.
   */
  traffic?: SyncTraffic;
}

/** Snapshot.stats: what the run that made the snapshot did. */
export interface BackupStats {
  /** HTTP requests to the storage server (storage calls when the connection was not metered). */
  requests: number;
  /** Storage-client calls: info/collections, info/collection_counts, ids lists, record pages. */
  storageCalls: number;
  /** Response bodies, bytes; null when the connection was not metered. */
  responseBytes: number | null;
  recordsFetched: number;
  /** Payload bytes of the records fetched (UTF-8). */
  payloadBytes: number;
  versionsAdded: number;
  versionsClosed: number;
  hmacFailures: number;
  /** Collections read (their last-modified moved, or records expired); the others cost nothing. */
  collectionsRead: string[];
  /** Collections read again after a 412 (another client wrote meanwhile). */
  collectionsRedone: number;
  backoffNotices: number;
  serverAlerts: number;
  durationMs: number;
}

export interface CollectionSummary {
  count: number;
  /** Server last-modified, integer ms. */
  lastModified: number;
}

export interface HealthAlertSummary {
  kind: 'collection-shrank' | 'sync-id-changed' | 'storage-version-changed' | 'keys-rotated' | 'client-added' | 'engine-declined';
  collection?: string;
  message: string;
  details: Record<string, unknown>;
}

export interface SnapshotSummary {
  accountId: string;
  seq: number;
  status: 'running' | 'complete' | 'failed';
  trigger: string;
  tags: string[];
  startedAt: Date;
  finishedAt: Date | null;
  collections: Record<string, CollectionSummary>;
  versionsAdded: number;
  keyFingerprint: string | null;
  alerts: HealthAlertSummary[];
}
