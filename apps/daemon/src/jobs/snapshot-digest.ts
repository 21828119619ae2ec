import type { SnapshotSummaryJson } from './queues.js';

export interface SnapshotDigest {
  seq: number;
  status: string;
  collections: Record<string, { count: number }>;
  versionsAdded: number;
}

/** The part of a backup's result the CLI prints: `{seq, status, collections: {name: {count}}, versionsAdded}`. */
export function snapshotDigest(summary: SnapshotSummaryJson): SnapshotDigest {
  return {
    seq: summary.seq,
    status: summary.status,
    collections: Object.fromEntries(Object.entries(summary.collections).map(([name, collection]) => [name, { count: collection.count }])),
    versionsAdded: summary.versionsAdded,
  };
}
