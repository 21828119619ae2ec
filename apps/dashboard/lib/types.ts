/** The daemon's API answers the dashboard reads, as README's `### HTTP API` documents them. */

export type AccountKind = 'mozilla' | 'selfhosted15' | 'legacy11';

export interface RetentionPolicy {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
}

/**
 * What an account takes in the store: distinct payloads (a record unchanged across snapshots is
 * stored once; a payload two accounts share counts in both), record versions, complete snapshots.
 */
export interface StorageUsage {
  bytes: number;
  /** Of `bytes`, what no other account shares: about what removing the account frees. */
  exclusiveBytes: number;
  blobs: number;
  versions: number;
  snapshots: number;
}

export interface Account {
  id: string;
  name: string;
  kind: AccountKind;
  email: string;
  fxaUrl: string | null;
  tokenServerUrl: string | null;
  serverUrl: string | null;
  storageUrl: string | null;
  signAsOrigin: string | null;
  schedule: string | null;
  /** The next scheduled backup; null when on demand only or when Redis does not answer. */
  nextRunAt: string | null;
  retention: RetentionPolicy;
  alertSettings: { shrinkThreshold?: number; webhookUrl?: string };
  storage: StorageUsage;
  createdAt: string;
  updatedAt: string;
}

export type SnapshotStatus = 'running' | 'complete' | 'failed';

export interface Snapshot {
  seq: number;
  status: SnapshotStatus;
  trigger: string;
  tags: string[];
  startedAt: string;
  finishedAt: string | null;
  collections: Record<string, { count: number; lastModified: number }>;
  versionsAdded: number;
  keyFingerprint: string | null;
  stats: Record<string, unknown>;
  error: string | null;
}

export interface SnapshotRef {
  seq: number;
  status: SnapshotStatus;
  startedAt: string;
  finishedAt: string | null;
  tags: string[];
}

/** Which snapshots a retention policy keeps and removes (POST /api/accounts/:id/retention/preview). */
export interface RetentionPreview {
  accountId: string;
  policy: RetentionPolicy;
  /** Newest first; reasons: last, hourly, daily, weekly, monthly, yearly, pre-restore, newest, no-policy. */
  kept: Array<SnapshotRef & { reasons: string[] }>;
  /** Newest first; reason `policy` or `failed`. */
  removed: Array<SnapshotRef & { reason: string }>;
  running: SnapshotRef[];
}

export interface HealthAlert {
  id: string;
  snapshotSeq: number;
  kind: string;
  collection: string | null;
  message: string;
  details: Record<string, unknown>;
  createdAt: string;
  deliveredAt: string | null;
  /** null while the alert is open. */
  acknowledgedAt: string | null;
}

export interface SnapshotDetail extends Snapshot {
  alerts: HealthAlert[];
}

export interface BackupProgress {
  accountId: string;
  snapshotSeq: number;
  phase: 'starting' | 'collections' | 'finishing';
  collection?: string;
  done: number;
  total: number;
  collectionsDone: number;
  collectionsTotal: number;
}

/** A restore job's phase, as RestoreService reports it. */
export interface RestoreProgress {
  accountId: string;
  phase: 'pre-restore-snapshot' | 'planning' | 'writing' | 'notifying-clients' | 'verifying' | 'done';
  /** writing: the collection being written, with its records done and total. */
  collection?: string;
  done?: number;
  total?: number;
}

/** A migration job's progress: the engine's MigrationProgress, with the job's account. */
export type MigrationJobProgress = MigrationProgress & { accountId: string };

/** A backup's progress on the backup queue, a restore's on the restore queue, a migration's on the migrate queue. */
export type JobProgress = BackupProgress | RestoreProgress | MigrationJobProgress;

export type JobState = 'waiting' | 'delayed' | 'prioritized' | 'active' | 'completed' | 'failed' | 'waiting-children' | 'unknown';

export interface Job {
  id: string;
  queue: 'backup' | 'retention' | 'restore' | 'migrate';
  name: string;
  accountId: string;
  trigger: string;
  state: JobState;
  progress: JobProgress | null;
  result: unknown;
  failedReason: string | null;
  /** When someone asked this running backup to stop; it then fails, its snapshot rolled back. */
  cancelRequestedAt: string | null;
  schedulerId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** What POST /api/jobs/:id/cancel did: the queued job is gone, or the running backup is stopping. */
export interface CancelledJob {
  jobId: string;
  queue: Job['queue'];
  outcome: 'removed' | 'stopping';
}

/** The `progress` event of /api/jobs/events. */
export interface JobProgressEvent {
  jobId: string;
  queue: Job['queue'];
  progress: JobProgress;
}

/** The `removed` event of /api/jobs/events. */
export interface JobRemovedEvent {
  jobId: string;
  queue: Job['queue'];
}

export interface EnqueuedJob {
  jobId: string;
  accountId: string;
}

export interface HealthCheck {
  status: 'ok' | 'failed';
  message?: string;
}

export interface Health {
  status: 'ok' | 'failed';
  checks: { database: HealthCheck; redis: HealthCheck; workers: HealthCheck };
}

export interface Me {
  username: string;
  via: 'session' | 'api';
  tokenName?: string | null;
  /** The admin password was generated; a new one must be chosen before anything else. */
  mustChangePassword: boolean;
}

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface CreatedApiToken extends ApiToken {
  /** The secret, shown this once. */
  token: string;
}

/** The daemon's error body: a one-line `message` that never carries a secret. */
export interface ApiErrorBody {
  statusCode: number;
  error?: string;
  message: string | string[];
}

/** What adding (or reconnecting) an account answers: done, or the step the accounts server waits for. */
export type AddAccountStep =
  | { status: 'done'; account: Account }
  | { status: 'unblock-code-required'; loginId: string; email: string; expiresAt: string }
  | { status: 'verification-code-required'; loginId: string; email: string; method: string; expiresAt: string }
  | { status: 'email-confirmation-required'; loginId: string; email: string; expiresAt: string };

export interface AddAccountInput {
  name: string;
  kind: AccountKind;
  email?: string;
  username?: string;
  password: string;
  syncKey?: string;
  fxaUrl?: string;
  tokenServerUrl?: string;
  serverUrl?: string;
  storageUrl?: string;
  signAsOrigin?: string;
}

export interface SnapshotRecord {
  id: string;
  modified: number;
  sortindex: number | null;
  hmacValid: boolean;
  cleartext: Record<string, unknown> | null;
  error?: string;
}

export interface CollectionContents {
  total: number;
  offset: number;
  limit: number;
  records: SnapshotRecord[];
}

export interface BookmarkTreeNode {
  id: string;
  type: string;
  title: string;
  url?: string;
  /** Folders only. */
  children?: BookmarkTreeNode[];
}

export interface BookmarkTree {
  tree: BookmarkTreeNode;
  problems: Record<string, unknown[]>;
  unreadable: Array<{ id: string; error: string }>;
}

export type RestoreKind = 'bookmark' | 'folder' | 'deleted-bookmarks' | 'password' | 'collection' | 'all';

/** The body of POST /api/accounts/:id/restore/plan and /restores. */
export interface RestoreRequest {
  from: number;
  kind: RestoreKind;
  /** bookmark, folder, password */
  id?: string;
  /** deleted-bookmarks */
  since?: number;
  /** collection */
  collection?: string;
  intoNewFolder?: boolean;
}

export type PlannedReason = 'restored' | 'deleted' | 'ancestor-recreated' | 'parent-children-updated' | 'old-parent-children-updated' | 'new-folder';

export interface PlannedRecord {
  id: string;
  action: 'write' | 'delete';
  reason: PlannedReason;
  /** Title and URL, site and username, name: never a password. */
  label: string;
}

/** Bookmark validator problem counts by category (orphans, missingChildren, cycles, ...). */
export type BookmarkProblemCounts = Record<string, number>;

export interface RestorePlan {
  accountId: string;
  accountName: string;
  from: number;
  target: { kind: RestoreKind; id?: string; since?: number; collection?: string };
  intoNewFolder: boolean;
  collections: Array<{ collection: string; ifUnmodifiedSince: number; records: PlannedRecord[] }>;
  clientCommand: { command: 'wipeEngine'; args: ['bookmarks']; clients: Array<{ id: string; name: string }> } | null;
  bookmarkValidation: { before: BookmarkProblemCounts; predicted: BookmarkProblemCounts } | null;
  keysChanged: boolean;
  notes: string[];
  totalChanges: number;
}

/** A completed restore job's result. */
export interface RestoreResult {
  plan: RestorePlan;
  replans: number;
  preRestoreSnapshot: { seq: number };
  written: Array<{ collection: string; id: string; action: 'write' | 'delete' }>;
  clientsNotified: string[];
  verification: { ok: boolean; mismatches: Array<{ collection: string; id: string; problem: string }> };
  bookmarkValidation: { before: BookmarkProblemCounts; after: BookmarkProblemCounts } | null;
}

/** Record ids per kind of change in one collection (GET /api/accounts/:id/diff). */
export interface CollectionChanges {
  added: string[];
  removed: string[];
  changed: string[];
  tombstoned: string[];
}

/** One field that differs; a secret's values are left out. */
export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
  secret?: true;
}

export interface UnreadableRecord {
  id: string;
  side: 'from' | 'to';
  error: string;
}

export interface BookmarkPlace {
  parentId: string | null;
  /** Folder titles from the root down, or null when not known. */
  path: string[] | null;
  index?: number;
}

export interface BookmarkEntry {
  id: string;
  type: string;
  title: string;
  url?: string;
  place: BookmarkPlace;
  children?: BookmarkEntry[];
}

export interface BookmarksDiff {
  kind: 'bookmarks';
  added: BookmarkEntry[];
  deleted: BookmarkEntry[];
  renamed: Array<{ id: string; type: string; before: string; after: string; place: BookmarkPlace }>;
  urlChanged: Array<{ id: string; title: string; before: string | null; after: string | null; place: BookmarkPlace }>;
  moved: Array<{ id: string; type: string; title: string; from: BookmarkPlace; to: BookmarkPlace }>;
  reordered: Array<{ id: string; title: string; place: BookmarkPlace; before: string[]; after: string[] }>;
  otherChanges: Array<{ id: string; type: string; title: string; place: BookmarkPlace; changes: FieldChange[] }>;
  unreadable: UnreadableRecord[];
}

export interface LoginRef {
  id: string;
  hostname: string | null;
  username: string | null;
}

export interface PasswordsDiff {
  kind: 'passwords';
  added: LoginRef[];
  removed: Array<LoginRef & { tombstone: boolean }>;
  changed: Array<LoginRef & { fields: string[]; changes: FieldChange[] }>;
  unreadable: UnreadableRecord[];
}

export interface PageRef {
  id: string;
  url: string | null;
  title: string | null;
  visits: number;
}

export interface HistoryVisitRef {
  /** Microseconds since the epoch. */
  date: number;
  type: number;
}

export interface HistoryDiff {
  kind: 'history';
  added: PageRef[];
  removed: Array<PageRef & { tombstone: boolean }>;
  changed: Array<PageRef & { titleBefore?: string | null; urlBefore?: string | null; visitsAdded: HistoryVisitRef[]; visitsRemoved: HistoryVisitRef[] }>;
  unreadable: UnreadableRecord[];
}

export interface RecordRef {
  id: string;
  label: string | null;
}

export interface FieldsDiff {
  kind: 'fields';
  added: RecordRef[];
  removed: Array<RecordRef & { tombstone: boolean }>;
  changed: Array<RecordRef & { changes: FieldChange[] }>;
  unreadable: UnreadableRecord[];
}

export type SemanticDiff = BookmarksDiff | PasswordsDiff | HistoryDiff | FieldsDiff;

/** What changed from one snapshot to another, or to the live server. */
export interface SnapshotDiff {
  collections: Record<string, CollectionChanges>;
  semantic: Record<string, SemanticDiff>;
}

export interface SnapshotPoint {
  seq: number;
  at: string;
}

/** One record that held the text in some snapshot (GET /api/accounts/:id/find). */
export interface FoundRecord {
  collection: string;
  id: string;
  title: string | null;
  url: string | null;
  /** Bookmarks: folder titles outermost first when it was last seen; null when it hung nowhere. */
  path?: string[] | null;
  firstSeen: SnapshotPoint;
  lastSeen: SnapshotPoint;
  /** The first snapshot without it and how it went; null while the newest snapshot has it. */
  gone: (SnapshotPoint & { how: 'deleted' | 'removed' | 'changed' }) | null;
}

export interface FindResult {
  text: string;
  snapshotsSearched: number;
  total: number;
  matches: FoundRecord[];
}

/*
 * Migration, as apps/daemon/src/migrate/types.ts defines it (POST /api/migrations/plan, /migrations,
 * GET /migrations and /migrations/:id, the migration job's progress and result).
 */

/** What to do when the target already holds data: refuse (the default), wipe it first, or merge. */
export type MigrationMode = 'empty' | 'replace' | 'merge';

/** The body of POST /api/migrations/plan and /api/migrations: account ids or names. */
export interface MigrationRequest {
  source: string;
  target: string;
  /** Copy this snapshot; without it a fresh backup of the live source is taken first. */
  fromSnapshot?: number;
  replace?: boolean;
  merge?: boolean;
  rekey?: boolean;
  /** Abandon an unfinished migration of the same pair instead of resuming it. */
  restart?: boolean;
}

export type KeysAction = 'copy' | 'rewrap' | 'rekey' | 'keep-target';

export type MetaGlobalAction = 'copy' | 'convert' | 'new-sync-ids' | 'merge-target';

export type RecordsAction = 'copy' | 're-encrypt' | 'skip';

export interface CollectionPlan {
  collection: string;
  action: RecordsAction;
  /** Records that will be uploaded (after skips). */
  records: number;
  bytes: number;
  skipped: Array<{ reason: string; count: number }>;
  /** Records the target holds in this collection now. */
  targetRecords: number;
  /** null: records never expire; else the collection's ttl in seconds. */
  ttlSeconds: number | null;
  note?: string;
}

/** A server limit; null = the server sets none. */
export type LimitValue = number | null;

export interface MigrationPlan {
  source: {
    accountId: string;
    name: string;
    kind: AccountKind;
    /** The snapshot copied; null when a fresh backup of the live account is taken first. */
    snapshot: { seq: number; finishedAt: string | null } | null;
  };
  target: {
    accountId: string;
    name: string;
    tokenServerUrl: string;
    collections: Record<string, number>;
    empty: boolean;
    quota: { usedKb: number; quotaKb: number | null };
    limits: Record<string, LimitValue>;
  };
  mode: MigrationMode;
  rekey: boolean;
  keys: KeysAction;
  metaGlobal: MetaGlobalAction;
  /** In upload order. */
  collections: CollectionPlan[];
  totals: { records: number; bytes: number; batches: number };
  /** Why the migration cannot run as asked; null = it can. */
  refusal: string | null;
  notes: string[];
  /** An unfinished migration of this pair that running would resume, or null. */
  resumes: { migrationId: string; done: number; total: number } | null;
}

export type MigrationPhase = 'source-snapshot' | 'planning' | 'wiping-target' | 'uploading' | 'verifying' | 'done';

export interface MigrationProgress {
  migrationId?: string;
  phase: MigrationPhase;
  collection?: string;
  /** Records uploaded (or verified) of the whole migration. */
  done: number;
  total: number;
  /** The latest thing the target said besides its answers (backoff, quota, retries). */
  notice?: string;
}

export interface VerificationMismatch {
  collection: string;
  id: string;
  problem: 'missing' | 'differs' | 'unexpected' | 'undecryptable';
}

export interface MigrationVerification {
  ok: boolean;
  collections: Array<{ collection: string; expected: number; found: number; mismatches: number }>;
  /** The first mismatching records (at most 100). */
  mismatches: VerificationMismatch[];
}

/** The settings that point Firefox at the target. */
export interface ClientInstructions {
  tokenServerUri: string;
  /** Set only when the target uses a non-Mozilla accounts server. */
  accountsServerUri: string | null;
  desktop: string[];
  android: string[];
  ios: string[];
}

export interface MigrationResult {
  migrationId: string;
  plan: MigrationPlan;
  resumed: boolean;
  /** Collection → records uploaded by this run. */
  uploaded: Record<string, number>;
  verification: MigrationVerification;
  notices: string[];
  clients: ClientInstructions;
}

export type MigrationStatus = 'running' | 'interrupted' | 'completed' | 'failed' | 'abandoned';

/** A migration as stored (GET /api/migrations, /api/migrations/:id). */
export interface MigrationView {
  id: string;
  sourceAccountId: string;
  targetAccountId: string;
  sourceSeq: number;
  mode: MigrationMode;
  rekey: boolean;
  status: MigrationStatus;
  done: number;
  total: number;
  /** Set once verified, also when the verification found differences. */
  result: MigrationResult | null;
  error: string | null;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
}
