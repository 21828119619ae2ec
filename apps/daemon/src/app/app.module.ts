/** The daemon's root module: infrastructure (config, database, vault, Redis), queues, jobs and the API. */
import { BullModule } from '@nestjs/bullmq';
import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AdminBootstrapOptions } from '../api/admin-bootstrap.js';
import { ApiModule } from '../api/api.module.js';
import type { SyncvaultConfig } from '../config/config.js';
import type { EngineBindings } from '../jobs/contracts.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { queueOptions } from '../jobs/queues.js';
import { describe } from '../jobs/backup-job.js';
import { createPrismaClient, type PrismaClient } from '../store/prisma.js';
import { KeyCustody, type Vault } from '../vault/index.js';
import { throttledWarning } from './log-throttle.js';
import { APP_OPTIONS, KEY_CUSTODY, PRISMA, REDIS, SYNCVAULT_CONFIG, VAULT } from './tokens.js';

export interface SyncvaultModuleOptions extends AdminBootstrapOptions {
  /** Replaces some of the engine bindings (tests; see jobs/engine-bindings.ts). */
  engine?: Partial<EngineBindings>;
}

/** Closes what the infrastructure providers opened, after the workers have stopped (they close earlier). */
@Injectable()
class InfrastructureShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
    await this.prisma.$disconnect();
  }
}

function createRedis(config: SyncvaultConfig): Redis {
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy: (attempt) => Math.min(attempt * 500, 5000) });
  const warn = throttledWarning(new Logger('Redis'));
  redis.on('error', (error) => warn(`Redis (${new URL(config.redisUrl).host}): ${describe(error)}`));
  return redis;
}

@Global()
@Module({})
class InfrastructureModule {
  static forRoot(config: SyncvaultConfig, vault: Vault, options: SyncvaultModuleOptions): DynamicModule {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: SYNCVAULT_CONFIG, useValue: config },
        { provide: APP_OPTIONS, useValue: options },
        { provide: VAULT, useValue: vault },
        { provide: PRISMA, useFactory: () => createPrismaClient(config.databaseUrl) },
        { provide: KEY_CUSTODY, useFactory: (prisma: PrismaClient) => new KeyCustody(prisma, vault), inject: [PRISMA] },
        { provide: REDIS, useFactory: () => createRedis(config) },
        InfrastructureShutdown,
      ],
      exports: [SYNCVAULT_CONFIG, APP_OPTIONS, VAULT, PRISMA, KEY_CUSTODY, REDIS],
    };
  }
}

@Module({})
export class SyncvaultAppModule {
  static forRoot(config: SyncvaultConfig, vault: Vault, options: SyncvaultModuleOptions = {}): DynamicModule {
    return {
      module: SyncvaultAppModule,
      imports: [
        InfrastructureModule.forRoot(config, vault, options),
        BullModule.forRoot(queueOptions(config)),
        JobsModule.forRoot({ workers: config.workers, ...(options.engine !== undefined && { engine: options.engine }) }),
        ApiModule,
      ],
    };
  }
}
