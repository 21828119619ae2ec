import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PRISMA } from '../app/tokens.js';
import type { PrismaClient } from '../store/prisma.js';
import { AdminBootstrap } from './admin-bootstrap.js';
import { AuthController } from './auth/auth-controller.js';
import { AuthGuard } from './auth/auth-guard.js';
import { AuthService } from './auth/auth-service.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { HealthController, HealthService } from './health/health.js';
import { BackupsController, JobsController } from './jobs/jobs-controller.js';

/** The HTTP API: controllers, the global auth guard and the first-start admin. */
@Module({
  controllers: [AuthController, HealthController, JobsController, BackupsController],
  providers: [
    { provide: AuthService, useFactory: (prisma: PrismaClient) => new AuthService(prisma), inject: [PRISMA] },
    { provide: LoginThrottle, useFactory: () => new LoginThrottle() },
    { provide: APP_GUARD, useClass: AuthGuard },
    HealthService,
    AdminBootstrap,
  ],
  exports: [AuthService],
})
export class ApiModule {}
