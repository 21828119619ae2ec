import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createScratchDatabase, psql, type ScratchDatabase } from '../support/postgres.js';
import { PRISMA_SCRIPT, REPO_ROOT } from '../support/repo.js';

function prisma(databaseUrl: string, ...args: string[]): string {
  return execFileSync(process.execPath, [PRISMA_SCRIPT, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Structural dump of a database, without Prisma's bookkeeping table and session noise. Columns
 * are sorted within each table: a migration that adds a column appends it, while a schema built
 * in one go puts it where the model declares it, and both are the same schema.
 */
function schemaDump(databaseUrl: string): string {
  const dump = execFileSync('pg_dump', ['--schema-only', '--no-owner', '--no-privileges', '-T', '_prisma_migrations', databaseUrl], { encoding: 'utf8' });
  const lines = dump
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('--') && !line.startsWith('SET ') && !line.startsWith('SELECT pg_catalog') && !line.startsWith('\\'));
  const normalized: string[] = [];
  let columns: string[] | undefined;
  for (const line of lines) {
    if (columns !== undefined && line === ');') {
      normalized.push(...columns.sort(), line);
      columns = undefined;
    } else if (columns !== undefined) {
      columns.push(line.replace(/,$/, ''));
    } else {
      normalized.push(line);
      if (/^CREATE TABLE .*\($/.test(line)) columns = [];
    }
  }
  return normalized.join('\n');
}

describe('checked-in Prisma migrations', () => {
  let database: ScratchDatabase;
  before(() => {
    database = createScratchDatabase();
  });
  after(() => database.drop());

  it('apply to an empty database offline and create the store tables', () => {
    prisma(database.url, 'migrate', 'deploy');
    const tables = psql(database.url, "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'");
    assert.deepEqual(tables.split(','), ['Account', 'AdminUser', 'AuthToken', 'Blob', 'HealthAlert', 'KeyBundle', 'Migration', 'RecordVersion', 'Snapshot', '_prisma_migrations']);
  });

  it('leave no drift: migrated schema equals the schema built straight from schema.prisma', () => {
    const direct = createScratchDatabase();
    try {
      const sql = prisma(direct.url, 'migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/schema.prisma', '--script');
      execFileSync('psql', [direct.url, '-v', 'ON_ERROR_STOP=1', '-q'], { input: sql });
      assert.equal(schemaDump(database.url), schemaDump(direct.url));
    } finally {
      direct.drop();
    }
  });
});
