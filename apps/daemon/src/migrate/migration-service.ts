/** Skeleton: the contract the CLI, API, job and dashboard code against (replaced by the real engine). */
import type { AccountService } from '../accounts/index.js';
import type { BackupEngine } from '../backup/index.js';
import type { PrismaClient } from '../store/index.js';
import type { KeyCustody } from '../vault/index.js';
import type { MigrationPlan, MigrationProgress, MigrationRequest, MigrationResult, MigrationView } from './types.js';

export interface MigrationServiceOptions {
  prisma: PrismaClient;
  databaseUrl: string;
  accounts: Pick<AccountService, 'get' | 'openConnection'>;
  keyCustody: KeyCustody;
  backup: Pick<BackupEngine, 'run'>;
  clock?: () => Date;
}

export interface MigrationRunOptions {
  onProgress?: (progress: MigrationProgress) => void;
  /** Aborting stops the upload between two batches; the checkpoint stays and a later run resumes. */
  signal?: AbortSignal;
}

export class MigrationService {
  constructor(private readonly options: MigrationServiceOptions) {}

  /** The plan (dry run): what would move, the target's state and limits; writes nothing. */
  async plan(request: MigrationRequest): Promise<MigrationPlan> {
    void this.options;
    void request;
    throw new Error('not implemented yet');
  }

  /**
   * Runs (or resumes) the migration: takes the source snapshot when none is named, refuses what
   * the plan refuses (MigrationRefusedError), uploads with checkpoints, verifies
   * (MigrationVerificationError on a mismatch) and returns the result.
   */
  async run(request: MigrationRequest, options: MigrationRunOptions = {}): Promise<MigrationResult> {
    void request;
    void options;
    throw new Error('not implemented yet');
  }

  /** One migration (MigrationNotFoundError when unknown). */
  async get(id: string): Promise<MigrationView> {
    void id;
    throw new Error('not implemented yet');
  }

  /** Newest first; only those touching `accountId` (as source or target) when given. */
  async list(options: { accountId?: string } = {}): Promise<MigrationView[]> {
    void options;
    throw new Error('not implemented yet');
  }
}
