import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PRISMA } from '../app/tokens.js';
import { SnapshotExporter } from '../export/index.js';
import { SnapshotReader } from '../history/index.js';
import type { PrismaClient } from '../store/prisma.js';
import { AccountsController } from './accounts/accounts-controller.js';
import { ACCOUNT_PROVIDERS } from './accounts/accounts.providers.js';
import { AdminBootstrap } from './admin-bootstrap.js';
import { AuthController } from './auth/auth-controller.js';
import { AuthGuard } from './auth/auth-guard.js';
import { AuthService } from './auth/auth-service.js';
import { ExportController } from './export/export-controller.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { DiffController, DIFF_PROVIDERS } from './diff/diff-controller.js';
import { HealthController, HealthService } from './health/health.js';
import { BackupsController, JobsController } from './jobs/jobs-controller.js';
import { MigrationsController } from './migrations/migrations-controller.js';
import { RestoreController } from './restore/restore-controller.js';
import { RESTORE_PROVIDERS } from './restore/restore.providers.js';
import { SnapshotsController, StoreController } from './snapshots/snapshots-controller.js';
import { SNAPSHOT_PROVIDERS } from './snapshots/snapshots.providers.js';

/** The HTTP API: controllers, the global auth guard, the first-start admin and the services the routes wrap. */
@Module({
  controllers: [AuthController, HealthController, JobsController, BackupsController, AccountsController, SnapshotsController, StoreController, RestoreController, ExportController, DiffController, MigrationsController],
  providers: [
    { provide: AuthService, useFactory: (prisma: PrismaClient) => new AuthService(prisma), inject: [PRISMA] },
    { provide: LoginThrottle, useFactory: () => new LoginThrottle() },
    { provide: APP_GUARD, useClass: AuthGuard },
    HealthService,
    AdminBootstrap,
    ...ACCOUNT_PROVIDERS,
    ...SNAPSHOT_PROVIDERS,
    ...RESTORE_PROVIDERS,
    { provide: SnapshotExporter, useFactory: (reader: SnapshotReader) => new SnapshotExporter(reader), inject: [SnapshotReader] },
    ...DIFF_PROVIDERS,
  ],
  exports: [AuthService],
})
export class ApiModule {}
