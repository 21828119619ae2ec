/**
 * `syncvault snapshots | show | forget | check` end to end: the real program, spawned with a
 * scratch database and a vault key, no daemon running.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyBundle } from '@syncvault/sync-crypto';
import { createPrismaClient, type PrismaClient } from '@syncvault/daemon/store';
import { KeyCustody, Vault } from '@syncvault/daemon/vault';
import { CollectionKeys, encryptRecord } from '@syncvault/daemon/sync';
import { createMigratedDatabase, type ScratchDatabase } from '../support/postgres.js';
import { REPO_ROOT } from '../support/repo.js';
import { day, StoreFixture, type FixtureState } from './support/store-fixture.js';

const BIN = join(REPO_ROOT, 'node_modules', '.bin', 'syncvault');
const MASTER_KEY = randomBytes(32);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('syncvault snapshots, show, forget and check', () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let env: Record<string, string | undefined>;

  async function run(args: string[]): Promise<Run> {
    const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stdout, stderr };
  }

  async function runJson<T>(args: string[]): Promise<T> {
    const result = await run(args);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as T;
  }

  before(async () => {
    db = createMigratedDatabase();
    prisma = createPrismaClient(db.url);
    env = {
      ...process.env,
      NO_COLOR: '1',
      DATABASE_URL: db.url,
      SYNCVAULT_MASTER_KEY: MASTER_KEY.toString('hex'),
      SYNCVAULT_MASTER_KEY_FILE: undefined,
      SYNCVAULT_DATA_DIR: mkdtempSync(join(tmpdir(), 'syncvault-cli-')),
    };
    const custody = new KeyCustody(prisma, new Vault(MASTER_KEY));
    const fixture = new StoreFixture(prisma);
    const accountId = await fixture.account('demo', { keepLast: 2 });
    const root = keyBundle(randomBytes(32), randomBytes(32));
    const keys = CollectionKeys.generate();
    await custody.keepRootBundle(accountId, root);
    const fingerprint = await custody.keepCollectionKeys(accountId, keys);
    const state = (password: string, extra: string[] = []): FixtureState => ({
      crypto: [{ id: 'keys', payload: keys.encrypt(root) }],
      passwords: [
        { id: 'pw1', payload: encryptRecord('passwords', { id: 'pw1', hostname: 'https://mail.example', username: 'ann', password }, keys) },
        ...extra.map((id) => ({ id, payload: encryptRecord('passwords', { id, hostname: `https://${id}.example`, username: 'bo', password: 'x' }, keys) })),
      ],
    });
    await fixture.snapshot(accountId, state('first-secret', ['old1']), { startedAt: day(1), keyFingerprint: fingerprint });
    await fixture.snapshot(accountId, state('second-secret'), { startedAt: day(2), keyFingerprint: fingerprint });
    await fixture.snapshot(accountId, state('third-secret'), { startedAt: day(3), keyFingerprint: fingerprint, tags: ['pre-restore'] });
    await fixture.snapshot(accountId, state('fourth-secret', ['new1', 'new2']), { startedAt: day(4), keyFingerprint: fingerprint });
    await fixture.snapshot(accountId, state('fifth-secret', ['new1', 'new2']), { startedAt: day(5), keyFingerprint: fingerprint });
  });
  after(async () => {
    await prisma.$disconnect();
    db.drop();
  });

  it('every command has --help', async () => {
    for (const command of ['snapshots', 'show', 'forget', 'check']) {
      const result = await run([command, '--help']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, new RegExp(`Usage: syncvault ${command}`));
      assert.match(result.stdout, /--json/);
    }
  });

  it('snapshots --json lists every snapshot with its summary', async () => {
    const snapshots = await runJson<Array<{ seq: number; status: string; startedAt: string; finishedAt: string; collections: Record<string, { count: number }>; versionsAdded: number; tags: string[] }>>([
      'snapshots',
      'demo',
      '--json',
    ]);
    assert.deepEqual(snapshots.map((snapshot) => snapshot.seq), [1, 2, 3, 4, 5]);
    assert.deepEqual(snapshots[0], {
      seq: 1,
      status: 'complete',
      startedAt: day(1).toISOString(),
      finishedAt: new Date(day(1).getTime() + 60_000).toISOString(),
      collections: { crypto: { count: 1, lastModified: day(1).getTime() }, passwords: { count: 2, lastModified: day(1).getTime() } },
      versionsAdded: 3,
      tags: [],
    });
    assert.deepEqual(snapshots[2]?.tags, ['pre-restore']);
    const table = await run(['snapshots', 'demo']);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /\n\s+3\s+complete\s+2026-01-04 12:00:00 .* pre-restore\n/);
  });

  it('show decrypts a collection as it was, masks secrets unless asked, and searches', async () => {
    type Contents = { total: number; records: Array<{ id: string; cleartext: Record<string, unknown> | null }> };
    const second = await runJson<Contents>(['show', 'demo', '2', 'passwords', '--json']);
    assert.equal(second.total, 1);
    assert.deepEqual(second.records[0]?.cleartext, { id: 'pw1', hostname: 'https://mail.example', username: 'ann', password: '********' });
    const revealed = await runJson<Contents>(['show', 'demo', '2', 'passwords', '--reveal-secrets', '--json']);
    assert.equal(revealed.records[0]?.cleartext?.['password'], 'second-secret');
    const found = await runJson<Contents>(['show', 'demo', '5', 'passwords', '--search', 'NEW2.example', '--json']);
    assert.deepEqual({ total: found.total, ids: found.records.map((record) => record.id) }, { total: 1, ids: ['new2'] });
    const paged = await runJson<Contents>(['show', 'demo', '5', 'passwords', '--offset', '1', '--limit', '1', '--json']);
    assert.deepEqual({ total: paged.total, count: paged.records.length }, { total: 3, count: 1 });

    const text = await run(['show', 'demo', '1', 'passwords']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^passwords in snapshot 1: records 1-2 of 2\n/);
    assert.match(text.stdout, /pw1 .*"password":"\*\*\*\*\*\*\*\*"/);
    assert.ok(!text.stdout.includes('first-secret'));
  });

  it('show and snapshots fail with one clear line for an unknown account or snapshot', async () => {
    const unknownAccount = await run(['snapshots', 'nobody']);
    assert.equal(unknownAccount.code, 1);
    assert.equal(unknownAccount.stderr, 'syncvault: no account named "nobody"\n');
    const unknownSnapshot = await run(['show', 'demo', '42', 'passwords']);
    assert.equal(unknownSnapshot.code, 1);
    assert.equal(unknownSnapshot.stderr, 'syncvault: the account has no snapshot 42\n');
  });

  it('check says the store is healthy and exits 0', async () => {
    const result = await run(['check']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'the store is healthy\n');
    assert.deepEqual(await runJson(['check', '--json']), { healthy: true, problems: [] });
  });

  it('forget --dry-run reports and changes nothing; forget with flags removes; forget without flags uses the stored policy', async () => {
    type Report = { dryRun: boolean; kept: Array<{ seq: number; reasons: string[] }>; removed: { snapshots: Array<{ seq: number }>; versions: number; blobs: number } };
    const dry = await runJson<Report>(['forget', 'demo', '--keep-last', '1', '--dry-run', '--json']);
    assert.equal(dry.dryRun, true);
    assert.deepEqual(dry.removed.snapshots.map((snapshot) => snapshot.seq).sort(), [1, 2, 4]);
    assert.equal(await prisma.snapshot.count(), 5);

    const stored = await runJson<Report>(['forget', 'demo', '--json']);
    assert.deepEqual(stored.kept.map(({ seq, reasons }) => ({ seq, reasons })), [
      { seq: 5, reasons: ['last', 'newest'] },
      { seq: 4, reasons: ['last'] },
      { seq: 3, reasons: ['pre-restore'] },
    ]);
    assert.deepEqual(stored.removed.snapshots.map((snapshot) => snapshot.seq).sort(), [1, 2]);
    assert.ok(stored.removed.versions > 0 && stored.removed.blobs > 0);

    const text = await run(['forget', 'demo', '--keep-daily', '1']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Policy: keep-daily 1\n/);
    assert.match(text.stdout, /\n\s+3\s+2026-01-04 12:00:00\s+pre-restore\n/);
    assert.match(text.stdout, /Removed 1 snapshot\(s\):\n\s+4\s+2026-01-05 12:00:00\s+complete\s+policy\n/);
    const left = await runJson<Array<{ seq: number }>>(['snapshots', 'demo', '--json']);
    assert.deepEqual(left.map((snapshot) => snapshot.seq), [3, 5]);

    const byHand = await runJson<{ removed: { snapshots: Array<{ seq: number; reason: string }> } }>(['forget', 'demo', '--snapshot', '3', '--json']);
    assert.deepEqual(byHand.removed.snapshots.map(({ seq, reason }) => ({ seq, reason })), [{ seq: 3, reason: 'by-hand' }]);
    assert.deepEqual(await runJson(['check', '--json']), { healthy: true, problems: [] });
  });

  it('forget refuses bad flags with one clear line', async () => {
    const negative = await run(['forget', 'demo', '--keep-daily', '-1']);
    assert.notEqual(negative.code, 0);
    assert.match(negative.stderr, /--keep-daily/);
    const both = await run(['forget', 'demo', '--keep-daily', '1', '--snapshot', '5']);
    assert.equal(both.code, 1);
    assert.equal(both.stderr, 'syncvault: use either --snapshot or --keep-* flags, not both\n');
  });

  it('check lists the problems of a damaged store and exits 1', async () => {
    await prisma.blob.updateMany({ data: { payload: 'tampered' } });
    const result = await run(['check']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /problem\(s\) found:\n\s+blob-hash-mismatch: blob [0-9a-f]{64}: the payload's SHA-256 differs/);
    const json = await run(['check', '--json']);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout) as { healthy: boolean; problems: Array<{ kind: string }> };
    assert.equal(report.healthy, false);
    assert.ok(report.problems.length > 0 && report.problems.every((problem) => problem.kind === 'blob-hash-mismatch'));
  });
});
