import type { Provider } from '@nestjs/common';
import { AccountService } from '../../accounts/index.js';
import { KEY_CUSTODY, PRISMA, SYNCVAULT_CONFIG } from '../../app/tokens.js';
import { BackupEngine } from '../../backup/index.js';
import type { SyncvaultConfig } from '../../config/config.js';
import { SnapshotReader } from '../../history/index.js';
import { RestoreService } from '../../restore/index.js';
import type { PrismaClient } from '../../store/index.js';
import type { KeyCustody } from '../../vault/index.js';

export const RESTORE_PROVIDERS: Provider[] = [
  {
    provide: RestoreService,
    useFactory: (prisma: PrismaClient, config: SyncvaultConfig, keyCustody: KeyCustody, accounts: AccountService, reader: SnapshotReader) =>
      new RestoreService({ prisma, databaseUrl: config.databaseUrl, accounts, reader, backup: new BackupEngine({ prisma, databaseUrl: config.databaseUrl, keyCustody }) }),
    inject: [PRISMA, SYNCVAULT_CONFIG, KEY_CUSTODY, AccountService, SnapshotReader],
  },
];
