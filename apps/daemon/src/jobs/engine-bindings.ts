/**
 * The one place that says which real class does each job's work. The Nest app (jobs.module.ts)
 * and the CLI's in-process worker (backup-command.ts) both get their runners from here.
 */
import type { SyncvaultConfig } from '../config/config.js';
import type { PrismaClient } from '../store/prisma.js';
import type { KeyCustody, Vault } from '../vault/index.js';
import { AccountService } from '../accounts/account-service.js';
import { BackupEngine } from '../backup/backup-engine.js';
import { SnapshotReader } from '../history/snapshot-reader.js';
import { MigrationService } from '../migrate/migration-service.js';
import { RestoreService } from '../restore/restore-service.js';
import { ForgetService } from '../retention/forget-service.js';
import type { EngineBindings } from './contracts.js';

export interface EngineDependencies {
  config: SyncvaultConfig;
  prisma: PrismaClient;
  vault: Vault;
  keyCustody: KeyCustody;
}

/**
 * Binds the backup engine (BackupEngine.run), the accounts service (AccountService.openConnection),
 * retention (ForgetService), restores (RestoreService.apply) and migrations (MigrationService) to
 * the job interfaces.
 */
export function createEngineBindings({ config, prisma, vault, keyCustody }: EngineDependencies): EngineBindings {
  const forget = new ForgetService({ prisma, databaseUrl: config.databaseUrl });
  const backup = new BackupEngine({ prisma, databaseUrl: config.databaseUrl, keyCustody });
  const accounts = new AccountService({ prisma, vault, keyCustody });
  const restore = new RestoreService({ prisma, databaseUrl: config.databaseUrl, accounts, reader: new SnapshotReader({ prisma, keyCustody }), backup });
  const migration = new MigrationService({ prisma, databaseUrl: config.databaseUrl, accounts, keyCustody, vault, backup });
  return {
    backupRunner: backup,
    connectionOpener: accounts,
    retentionRunner: { applyRetention: (accountId) => forget.forgetByStoredPolicy(accountId) },
    restoreRunner: restore,
    migrationRunner: migration,
    migrationPlanner: migration,
  };
}
