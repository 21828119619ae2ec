/**
 * The one place that says which real class does each job's work. The Nest app (jobs.module.ts)
 * and the CLI's in-process worker (backup-command.ts) both get their runners from here.
 */
import type { SyncvaultConfig } from '../config/config.js';
import type { PrismaClient } from '../store/prisma.js';
import type { KeyCustody, Vault } from '../vault/index.js';
import { AccountService } from '../accounts/account-service.js';
import { BackupEngine } from '../backup/backup-engine.js';
import { ForgetService } from '../retention/forget-service.js';
import type { EngineBindings } from './contracts.js';

export interface EngineDependencies {
  config: SyncvaultConfig;
  prisma: PrismaClient;
  vault: Vault;
  keyCustody: KeyCustody;
}

/**
 * Binds the backup engine (BackupEngine.run), the accounts service (AccountService.openConnection)
 * and retention (ForgetService) to the job interfaces.
 */
export function createEngineBindings({ config, prisma, vault, keyCustody }: EngineDependencies): EngineBindings {
  const forget = new ForgetService({ prisma, databaseUrl: config.databaseUrl });
  return {
    backupRunner: new BackupEngine({ prisma, databaseUrl: config.databaseUrl, keyCustody }),
    connectionOpener: new AccountService({ prisma, vault, keyCustody }),
    retentionRunner: { applyRetention: (accountId) => forget.forgetByStoredPolicy(accountId) },
  };
}
