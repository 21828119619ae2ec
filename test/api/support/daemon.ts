/**
 * A real daemon for API and job tests: a migrated scratch database, a unique Redis prefix, the Nest
 * app on an ephemeral port, and helpers to sign in and to clean Redis up afterwards.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { createSyncvaultApp, syncvaultUrl, type SyncvaultAppOptions } from '@syncvault/daemon/api';
import { loadConfig, type SyncvaultConfig } from '@syncvault/daemon/config';
import { createPrismaClient, type PrismaClient } from '@syncvault/daemon/store';
import { createMigratedDatabase, type ScratchDatabase } from '../../support/postgres.js';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '../../support/redis.js';

export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface TestWorld {
  database: ScratchDatabase;
  prisma: PrismaClient;
  redisPrefix: string;
  masterKey: string;
  env: Record<string, string>;
  /** Deletes this world's Redis keys and database. */
  drop(): Promise<void>;
}

/** A database and Redis prefix that one or more daemons (or restarts of one) share. */
export function createTestWorld(label: string): TestWorld {
  const database = createMigratedDatabase(`syncvault_${label}`);
  const redisPrefix = uniqueRedisPrefix(label);
  const masterKey = randomBytes(32).toString('hex');
  const prisma = createPrismaClient(database.url);
  return {
    database,
    prisma,
    redisPrefix,
    masterKey,
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      SYNCVAULT_REDIS_PREFIX: redisPrefix,
      SYNCVAULT_MASTER_KEY: masterKey,
      SYNCVAULT_HOST: '127.0.0.1',
      SYNCVAULT_PORT: '0',
      SYNCVAULT_DATA_DIR: `/tmp/syncvault-test-${redisPrefix}`,
    },
    async drop() {
      await prisma.$disconnect();
      await deleteRedisKeys(redisPrefix);
      database.drop();
    },
  };
}

/** Deletes every key under `prefix` (never FLUSHDB: the Redis is shared with other tests). */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

export interface TestDaemon {
  app: NestFastifyApplication;
  config: SyncvaultConfig;
  /** Base URL including the base path, e.g. http://127.0.0.1:1234 or http://127.0.0.1:1234/syncvault. */
  url: string;
  close(): Promise<void>;
}

export async function startDaemon(world: TestWorld, options: SyncvaultAppOptions & { env?: Record<string, string> } = {}): Promise<TestDaemon> {
  const { env, ...appOptions } = options;
  const config = loadConfig({ ...world.env, ...env });
  const app = await createSyncvaultApp(config, { logger: false, adminPassword: ADMIN_PASSWORD, ...appOptions });
  await app.listen(config.port, config.host);
  return { app, config, url: syncvaultUrl(app, config), close: () => app.close() };
}

/** Signs in as the admin; returns the `name=value` of the session cookie. */
export async function login(url: string, password = ADMIN_PASSWORD): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  if (response.status !== 200) throw new Error(`login answered ${response.status}: ${await response.text()}`);
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith('syncvault_session='));
  if (cookie === undefined) throw new Error('login set no session cookie');
  return cookie.split(';', 1)[0]!;
}

/** An Account row as the accounts service would store it; enough for jobs and schedules. */
export async function insertAccount(prisma: PrismaClient, fields: { name?: string; schedule?: string | null; retention?: object } = {}): Promise<{ id: string; name: string }> {
  return prisma.account.create({
    data: {
      name: fields.name ?? `account-${randomUUID().slice(0, 8)}`,
      kind: 'legacy11',
      email: 'someone@example.test',
      serverUrl: 'http://127.0.0.1:9/weave',
      sealedSecrets: new Uint8Array([1, 2, 3]),
      schedule: fields.schedule ?? null,
      retention: fields.retention ?? {},
    },
    select: { id: true, name: true },
  });
}

export async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
