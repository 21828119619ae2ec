import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** The Postgres server tests use; each test gets its own throwaway database on it. */
export const POSTGRES_ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function psql(databaseUrl: string, sql: string): string {
  return execFileSync('psql', [databaseUrl, '-v', 'ON_ERROR_STOP=1', '-tAc', sql], { encoding: 'utf8' }).trim();
}

export interface ScratchDatabase {
  url: string;
  name: string;
  drop(): void;
}

export function createScratchDatabase(prefix = 'syncvault_test'): ScratchDatabase {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  psql(POSTGRES_ADMIN_URL, `CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => psql(POSTGRES_ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
