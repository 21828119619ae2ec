import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRISMA_SCRIPT, REPO_ROOT } from './repo.js';

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

function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function scratch(name: string): ScratchDatabase {
  return {
    name,
    url: databaseUrl(name),
    drop: () => psql(POSTGRES_ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export function createScratchDatabase(prefix = 'syncvault_test'): ScratchDatabase {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  psql(POSTGRES_ADMIN_URL, `CREATE DATABASE ${name}`);
  return scratch(name);
}

/** Names the template by the migrations' content, so a changed migration gets a fresh template. */
function templateName(): string {
  const directory = join(REPO_ROOT, 'prisma', 'migrations');
  const hash = createHash('sha256');
  for (const entry of readdirSync(directory).sort()) {
    if (entry.endsWith('.toml')) continue;
    hash.update(entry).update(readFileSync(join(directory, entry, 'migration.sql')));
  }
  return `syncvault_tpl_${hash.digest('hex').slice(0, 16)}`;
}

function databaseExists(name: string): boolean {
  return psql(POSTGRES_ADMIN_URL, `SELECT 1 FROM pg_database WHERE datname = '${name}'`) === '1';
}

/**
 * A throwaway database with every checked-in migration applied. Migrating takes seconds, so the
 * first caller migrates a template (under a temporary name, renamed when done, so concurrent
 * test processes never copy a half-migrated one) and every database after that is a copy.
 */
export function createMigratedDatabase(prefix = 'syncvault_test'): ScratchDatabase {
  const template = templateName();
  if (!databaseExists(template)) {
    const building = createScratchDatabase('syncvault_tplbuild');
    try {
      execFileSync(process.execPath, [PRISMA_SCRIPT, 'migrate', 'deploy'], {
        cwd: REPO_ROOT,
        env: { ...process.env, DATABASE_URL: building.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      psql(POSTGRES_ADMIN_URL, `ALTER DATABASE ${building.name} RENAME TO ${template}`);
    } catch (error) {
      building.drop();
      if (!databaseExists(template)) throw error;
    }
  }
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  // A copy fails while another session is connected to the template; only copies ever run here.
  for (let attempt = 0; ; attempt++) {
    try {
      psql(POSTGRES_ADMIN_URL, `CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (error) {
      if (attempt >= 20) throw error;
      execFileSync('sleep', ['0.2']);
    }
  }
  return scratch(name);
}
