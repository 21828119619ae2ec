import type { BookmarkProblemCounts } from '../sync/records/index.js';

/** What to bring back from a snapshot into the live account. */
export type RestoreTarget =
  | { kind: 'bookmark'; id: string }
  /** The folder and everything under it. */
  | { kind: 'folder'; id: string }
  /**
   * Every bookmark item snapshot `since` had that is gone in the `from` snapshot (`since` before
   * `from`), or, when they are the same snapshot, gone from the server; brought back as `since`
   * had it, and only if the server still lacks it.
   */
  | { kind: 'deleted-bookmarks'; since: number }
  | { kind: 'password'; id: string }
  /** One collection back to the snapshot's state: differing records written, newer ones deleted. */
  | { kind: 'collection'; collection: string }
  /** Every restorable collection back to the snapshot's state. */
  | { kind: 'all' };

export interface RestoreRequest {
  /** Account id or name. */
  account: string;
  /** The snapshot to restore from. */
  from: number;
  target: RestoreTarget;
  /** Bookmarks: into a new folder "Restored <date>" under Other Bookmarks instead of their old places. */
  intoNewFolder?: boolean;
}

export type PlannedReason =
  | 'restored'
  | 'deleted'
  | 'ancestor-recreated'
  | 'parent-children-updated'
  | 'old-parent-children-updated'
  | 'new-folder';

/** One record the restore writes (or deletes, as a tombstone) on the live server. */
export interface PlannedRecord {
  id: string;
  action: 'write' | 'delete';
  reason: PlannedReason;
  /** What a person recognises it by: a title, URL, site or name; never a password. */
  label: string;
}

export interface PlannedCollection {
  collection: string;
  /** The collection's last-modified time the plan was made against (X-If-Unmodified-Since). */
  ifUnmodifiedSince: number;
  records: PlannedRecord[];
}

export interface BookmarkValidation {
  /** Problem counts of the live tree as it is. */
  before: BookmarkProblemCounts;
  /** Problem counts of the live tree with the plan applied. */
  predicted: BookmarkProblemCounts;
}

/** The exact writes a restore would make, shown before anything is written. */
export interface RestorePlan {
  accountId: string;
  accountName: string;
  from: number;
  target: RestoreTarget;
  intoNewFolder: boolean;
  collections: PlannedCollection[];
  /**
   * Whole-tree bookmark restores queue the command desktop Firefox sends after its own restore,
   * so other devices take the restored tree instead of resurrecting what it no longer has.
   */
  clientCommand: { command: 'wipeEngine'; args: ['bookmarks']; clients: Array<{ id: string; name: string }> } | null;
  bookmarkValidation: BookmarkValidation | null;
  /** True when the account's keys changed since the snapshot: records are re-encrypted with the current keys (they always are). */
  keysChanged: boolean;
  notes: string[];
  /** Records to write plus records to delete. */
  totalChanges: number;
}

export interface RestoreProgress {
  phase: 'pre-restore-snapshot' | 'planning' | 'writing' | 'notifying-clients' | 'verifying' | 'done';
  collection?: string;
  done?: number;
  total?: number;
}

export interface RestoreResult {
  /** The plan as applied (re-made against the new state after each concurrent change). */
  plan: RestorePlan;
  /** How often a write met a concurrent change (412) and the plan was made again. */
  replans: number;
  preRestoreSnapshot: { seq: number };
  written: Array<{ collection: string; id: string; action: 'write' | 'delete' }>;
  clientsNotified: string[];
  verification: { ok: boolean; mismatches: Array<{ collection: string; id: string; problem: string }> };
  bookmarkValidation: { before: BookmarkProblemCounts; after: BookmarkProblemCounts } | null;
}
