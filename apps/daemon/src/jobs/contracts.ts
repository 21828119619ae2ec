/**
 * What the job processors need from the rest of the daemon, as small interfaces: the processors
 * are written against these, and `engine-bindings.ts` says which real class provides each one.
 */
import type { BackupRequest, SnapshotSummary } from '../backup/types.js';
import type { MigrationRunOptions } from '../migrate/migration-service.js';
import type { MigrationPlan, MigrationRequest, MigrationResult, MigrationView } from '../migrate/types.js';
import type { RestoreApplyOptions } from '../restore/restore-service.js';
import type { RestoreRequest, RestoreResult } from '../restore/types.js';
import type { SyncConnection } from '../sync/connection.js';
import type { HttpTransport, ServerNoticeListener } from '../sync/index.js';

/** Takes one snapshot of an account (the backup engine). */
export interface BackupRunner {
  run(request: BackupRequest): Promise<SnapshotSummary>;
}

/** Opens a live connection to an account's Sync server from its stored (sealed) credentials. */
export interface ConnectionOpener {
  openConnection(accountId: string, options?: { transport?: HttpTransport; onServerNotice?: ServerNoticeListener }): Promise<SyncConnection>;
}

/** Applies an account's retention policy (forget + garbage collection); returns a JSON-able report. */
export interface RetentionRunner {
  applyRetention(accountId: string): Promise<unknown>;
}

/** Plans again, takes a pre-restore snapshot, writes and checks (the restore service's apply). */
export interface RestoreRunner {
  apply(request: RestoreRequest, options?: Pick<RestoreApplyOptions, 'onProgress'>): Promise<RestoreResult>;
}

/** Runs a migration, or resumes it from its checkpoint (the migration service's run). */
export interface MigrationRunner {
  run(request: MigrationRequest, options?: MigrationRunOptions): Promise<MigrationResult>;
}

/**
 * What the API asks of migrations besides running them: plans and the stored migrations. The
 * same service as the runner; a binding of its own so tests can replace both together.
 */
export interface MigrationPlanner {
  plan(request: MigrationRequest): Promise<MigrationPlan>;
  get(id: string): Promise<MigrationView>;
  list(options?: { accountId?: string }): Promise<MigrationView[]>;
}

export interface EngineBindings {
  backupRunner: BackupRunner;
  connectionOpener: ConnectionOpener;
  retentionRunner: RetentionRunner;
  restoreRunner: RestoreRunner;
  migrationRunner: MigrationRunner;
  migrationPlanner: MigrationPlanner;
}

/** Dependency-injection tokens of the bindings above (plain symbols: no framework needed here). */
export const BACKUP_RUNNER = Symbol('BackupRunner');
export const CONNECTION_OPENER = Symbol('ConnectionOpener');
export const RETENTION_RUNNER = Symbol('RetentionRunner');
export const RESTORE_RUNNER = Symbol('RestoreRunner');
export const MIGRATION_RUNNER = Symbol('MigrationRunner');
export const MIGRATION_PLANNER = Symbol('MigrationPlanner');
