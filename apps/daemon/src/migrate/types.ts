/**
 * Migration: every record of one account (a live account of any kind, or one of its snapshots)
 * written into another, Sync 1.5, account. The shapes the CLI, the HTTP API, the job and the
 * dashboard share.
 */

/** What to do when the target already holds data: refuse (the default), wipe it first, or merge. */
export type MigrationMode = 'empty' | 'replace' | 'merge';

export interface MigrationRequest {
  /** Account name or id: where the data comes from (any kind). */
  source: string;
  /** Account name or id: a Sync 1.5 account (mozilla or selfhosted15) the data goes to. */
  target: string;
  /** Copy this snapshot of the source; without it a fresh backup of the live source is taken first and copied. */
  fromSnapshot?: number;
  /** Wipe the target's storage first (DELETE /storage). */
  replace?: boolean;
  /** Keep the target's records, and those of its records that are newer than the source's. */
  merge?: boolean;
  /** New bulk keys and new syncIDs: every record is re-encrypted and every client resets. */
  rekey?: boolean;
  /** Abandon an unfinished migration of the same pair instead of resuming it. */
  restart?: boolean;
}

/**
 * How crypto/keys reaches the target:
 * - `copy`: same kB on both sides, the record is copied byte for byte,
 * - `rewrap`: other root key (1.1 Sync Key, or another FxA account): the same bulk keys, encrypted with the target's kB,
 * - `rekey`: new random bulk keys (`--rekey`),
 * - `keep-target`: `--merge` into a target that has its own keys; records are re-encrypted with them when they differ.
 */
export type KeysAction = 'copy' | 'rewrap' | 'rekey' | 'keep-target';

/**
 * How meta/global reaches the target:
 * - `copy`: byte for byte (same syncIDs: connected clients carry on incrementally),
 * - `convert`: a 1.1 meta/global made valid for 1.5 (`declined` added, engines the migration drops removed),
 * - `new-sync-ids`: `--rekey`: new top-level and engine syncIDs, so every client resets and merges,
 * - `merge-target`: `--merge`: the target's own, with entries added for engines it lacked.
 */
export type MetaGlobalAction = 'copy' | 'convert' | 'new-sync-ids' | 'merge-target';

/** How the records of one collection reach the target. */
export type RecordsAction = 'copy' | 're-encrypt' | 'skip';

export interface CollectionPlan {
  collection: string;
  action: RecordsAction;
  /** Records that will be uploaded (after skips). */
  records: number;
  /** Sum of their payload bytes as uploaded. */
  bytes: number;
  /** Records of the source the migration leaves out, and why (ttl already over, kept target record is newer, ...). */
  skipped: Array<{ reason: string; count: number }>;
  /** Records the target holds in this collection now. */
  targetRecords: number;
  /** The ttl rule applied: `null` = records never expire, else the collection's ttl in seconds minus each record's age. */
  ttlSeconds: number | null;
  /** Why the collection is skipped or treated specially. */
  note?: string;
}

/** A server limit; `null` = the server sets none. */
export type LimitValue = number | null;

export interface MigrationPlan {
  source: {
    accountId: string;
    name: string;
    kind: 'mozilla' | 'selfhosted15' | 'legacy11';
    /**
     * The snapshot the plan counts from: the one copied with `fromSnapshot` (or by a resumed
     * migration), else the latest complete one, while a run backs up the live account first and
     * copies that fresh snapshot. A source never backed up has no plan (MigrationRefusedError).
     */
    snapshot: { seq: number; finishedAt: string | null } | null;
  };
  target: {
    accountId: string;
    name: string;
    tokenServerUrl: string;
    /** Collection → record count on the target now. */
    collections: Record<string, number>;
    empty: boolean;
    quota: { usedKb: number; quotaKb: number | null };
    /** info/configuration as the target reports it (null = no limit). */
    limits: Record<string, LimitValue>;
  };
  mode: MigrationMode;
  rekey: boolean;
  keys: KeysAction;
  metaGlobal: MetaGlobalAction;
  /** Upload order, crypto/keys and meta/global first (see the README on why). */
  collections: CollectionPlan[];
  totals: { records: number; bytes: number; batches: number };
  /** Why the migration cannot run as asked (non-empty target without --replace/--merge, over quota, ...); null = it can. */
  refusal: string | null;
  notes: string[];
  /** An unfinished migration of this pair that running would resume (with its progress), or null. */
  resumes: { migrationId: string; done: number; total: number } | null;
}

export type MigrationPhase = 'source-snapshot' | 'planning' | 'wiping-target' | 'uploading' | 'verifying' | 'done';

export interface MigrationProgress {
  migrationId?: string;
  phase: MigrationPhase;
  /** The collection being uploaded or verified. */
  collection?: string;
  /** Records uploaded (or verified) of the whole migration. */
  done: number;
  total: number;
  /** The latest thing the target said besides its answers (backoff asked, quota remaining, retrying after 503/412). */
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

/** The exact settings that point Firefox at the target, built from its URLs. */
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
  /** True when this run continued an interrupted one from its checkpoint. */
  resumed: boolean;
  /** Collection → records uploaded by this run (resumed runs count only their own). */
  uploaded: Record<string, number>;
  verification: MigrationVerification;
  /** What the target said along the way (backoff, Retry-After, 412 retries, quota remaining). */
  notices: string[];
  clients: ClientInstructions;
}

export type MigrationStatus = 'running' | 'interrupted' | 'completed' | 'failed' | 'abandoned';

/** A migration as stored (its checkpoint, outcome), for listings and the dashboard. */
export interface MigrationView {
  id: string;
  sourceAccountId: string;
  targetAccountId: string;
  sourceSeq: number;
  mode: MigrationMode;
  rekey: boolean;
  status: MigrationStatus;
  /** Records uploaded so far, of the total. */
  done: number;
  total: number;
  result: MigrationResult | null;
  error: string | null;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
}
