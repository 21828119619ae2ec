import type { SyncConnection } from '../sync/connection.js';

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

export type BackupTrigger = 'schedule' | 'manual' | 'pre-restore' | 'demo';

export interface BackupRequest {
  accountId: string;
  trigger: BackupTrigger;
  /** E.g. `pre-restore`: tagged snapshots are kept by retention until removed by hand. */
  tags?: string[];
  connection: SyncConnection;
  onProgress?: (progress: BackupProgress) => void;
  signal?: AbortSignal;
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
