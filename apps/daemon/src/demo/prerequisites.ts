/**
 * What the demo needs before it starts anything: PostgreSQL reachable and migrated, Redis
 * reachable. Each problem is one line saying what to start or run, instead of a stack of
 * connection errors from the daemon a few seconds later.
 */
import { Redis } from 'ioredis';
import type { SyncvaultConfig } from '../config/config.js';
import { describeDatabaseProblem } from '../cli/output.js';
import { createPrismaClient, type PrismaClient } from '../store/prisma.js';

const ANSWER_TIMEOUT_MS = 5000;

export class DemoPrerequisiteError extends Error {
  override readonly name = 'DemoPrerequisiteError';
}

async function withTimeout<T>(work: Promise<T>, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ANSWER_TIMEOUT_MS)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads one row of every table: Prisma selects every column, so a database that misses a table
 * or a column (not migrated, or migrated by an older Syncvault) fails here, not mid-backup.
 */
async function readEveryTable(prisma: PrismaClient): Promise<void> {
  await prisma.account.findFirst();
  await prisma.snapshot.findFirst();
  await prisma.blob.findFirst();
  await prisma.recordVersion.findFirst();
  await prisma.keyBundle.findFirst();
  await prisma.healthAlert.findFirst();
  await prisma.adminUser.findFirst();
  await prisma.authToken.findFirst();
}

export async function checkDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.slice(1));
  const prisma = createPrismaClient(databaseUrl);
  try {
    await withTimeout(readEveryTable(prisma), () => new DemoPrerequisiteError(`PostgreSQL at ${url.host} (DATABASE_URL) did not answer within ${ANSWER_TIMEOUT_MS / 1000}s`));
  } catch (error) {
    if (error instanceof DemoPrerequisiteError) throw error;
    const code = (error as { code?: unknown }).code;
    switch (code) {
      case 'P1001':
        throw new DemoPrerequisiteError(`PostgreSQL is not reachable at ${url.host} (DATABASE_URL): start it, or point DATABASE_URL at one`, { cause: error });
      case 'P1003':
        throw new DemoPrerequisiteError(
          `PostgreSQL at ${url.host} has no database "${database}" (DATABASE_URL): create it (createdb -h ${url.hostname} -U ${decodeURIComponent(url.username) || 'postgres'} ${database}), then run \`npm run db:migrate\``,
          { cause: error },
        );
      case 'P2021':
      case 'P2022':
        throw new DemoPrerequisiteError(`the database "${database}" at ${url.host} is not migrated (or not up to date): run \`npm run db:migrate\``, { cause: error });
      default:
        throw new DemoPrerequisiteError(error instanceof Error ? describeDatabaseProblem(error) : String(error), { cause: error });
    }
  } finally {
    await prisma.$disconnect().catch(() => undefined);
  }
}

export async function checkRedis(redisUrl: string): Promise<void> {
  const host = new URL(redisUrl).host;
  // One attempt, no reconnection: this only asks whether Redis is there.
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: ANSWER_TIMEOUT_MS, enableOfflineQueue: false });
  // The connection's own error (e.g. ECONNREFUSED) says more than the rejected command's "Connection is closed".
  let connectionError: Error | undefined;
  redis.on('error', (error: Error) => (connectionError ??= error));
  try {
    await redis.connect();
    const answer = await withTimeout(redis.ping(), () => new Error('no answer to PING'));
    if (answer !== 'PONG') throw new Error(`PING answered ${answer}`);
  } catch (error) {
    const cause = connectionError ?? error;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new DemoPrerequisiteError(`Redis is not reachable at ${host} (REDIS_URL; ${why}): start it (e.g. redis-server), or point REDIS_URL at one`, { cause: error });
  } finally {
    redis.disconnect();
  }
}

/** Both checks; the database first, as it is the one that may also need migrating. */
export async function checkDemoPrerequisites(config: Pick<SyncvaultConfig, 'databaseUrl' | 'redisUrl'>): Promise<void> {
  await checkDatabase(config.databaseUrl);
  await checkRedis(config.redisUrl);
}
