import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/syncvault';

export type { PrismaClient };

/** The one way the daemon opens its database: Prisma's JS engine over the pg driver adapter (works offline). */
export function createPrismaClient(databaseUrl: string = process.env['DATABASE_URL'] ?? DEFAULT_DATABASE_URL): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}
