import { Controller, Get, Inject, Injectable, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { PRISMA, REDIS } from '../../app/tokens.js';
import { describe } from '../../jobs/backup-job.js';
import { WorkersStatus } from '../../jobs/jobs.module.js';
import type { PrismaClient } from '../../store/prisma.js';
import { Public } from '../auth/auth-guard.js';
import { HealthDto, type HealthCheckDto } from './health-dto.js';

const CHECK_TIMEOUT_MS = 3000;

async function probe(check: () => Promise<string | undefined>): Promise<HealthCheckDto> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const message = await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS / 1000}s`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return message === undefined ? { status: 'ok' } : { status: 'ok', message };
  } catch (error) {
    return { status: 'failed', message: describe(error) };
  } finally {
    clearTimeout(timer);
  }
}

@Injectable()
export class HealthService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(WorkersStatus) private readonly workers: WorkersStatus,
  ) {}

  async check(): Promise<HealthDto> {
    const [database, redis, workers] = await Promise.all([
      probe(async () => {
        await this.prisma.$queryRaw`SELECT 1`;
        return undefined;
      }),
      probe(async () => {
        try {
          const answer = await this.redis.ping();
          if (answer !== 'PONG') throw new Error(`PING answered ${answer}`);
          return undefined;
        } catch (error) {
          if (this.redis.status === 'ready') throw error;
          throw new Error(`not connected to ${this.redis.options.host ?? '?'}:${this.redis.options.port ?? '?'} (${this.redis.status})`, { cause: error });
        }
      }),
      probe(async () => {
        const status = await this.workers.check();
        if (!status.ok) throw new Error(status.message);
        return status.message;
      }),
    ]);
    const ok = database.status === 'ok' && redis.status === 'ok' && workers.status === 'ok';
    return { status: ok ? 'ok' : 'failed', checks: { database, redis, workers } };
  }
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness and readiness: PostgreSQL, Redis and the workers (no sign-in needed)' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'at least one check failed; `checks` says which' })
  async get(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const result = await this.health.check();
    if (result.status !== 'ok') void reply.status(503);
    return result;
  }
}
