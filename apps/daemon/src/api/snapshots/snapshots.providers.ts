/** The store's read side, retention and the store check, as the snapshot routes use them. */
import type { Provider } from '@nestjs/common';
import { KEY_CUSTODY, PRISMA, SYNCVAULT_CONFIG } from '../../app/tokens.js';
import type { SyncvaultConfig } from '../../config/config.js';
import { SnapshotReader } from '../../history/index.js';
import { ForgetService, StoreChecker } from '../../retention/index.js';
import { SnapshotRepository, type PrismaClient } from '../../store/index.js';
import type { KeyCustody } from '../../vault/index.js';

export const SNAPSHOT_PROVIDERS: Provider[] = [
  { provide: SnapshotRepository, useFactory: (prisma: PrismaClient) => new SnapshotRepository(prisma), inject: [PRISMA] },
  { provide: SnapshotReader, useFactory: (prisma: PrismaClient, keyCustody: KeyCustody) => new SnapshotReader({ prisma, keyCustody }), inject: [PRISMA, KEY_CUSTODY] },
  {
    provide: ForgetService,
    useFactory: (prisma: PrismaClient, config: SyncvaultConfig) => new ForgetService({ prisma, databaseUrl: config.databaseUrl }),
    inject: [PRISMA, SYNCVAULT_CONFIG],
  },
  { provide: StoreChecker, useFactory: (prisma: PrismaClient) => new StoreChecker(prisma), inject: [PRISMA] },
];
