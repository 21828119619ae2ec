/** `syncvault check` on real Postgres: a healthy store passes, each kind of damage is named. */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrismaClient, type PrismaClient } from '@syncvault/daemon/store';
import { StoreChecker, type StoreProblem } from '@syncvault/daemon/retention';
import { createMigratedDatabase, type ScratchDatabase } from '../support/postgres.js';
import { day, sha256, StoreFixture } from './support/store-fixture.js';

const payload = (text: string) => `{"ciphertext":"${text}"}`;

describe('StoreChecker.checkStore', () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let accountId: string;

  beforeEach(async () => {
    db = createMigratedDatabase();
    prisma = createPrismaClient(db.url);
    const fixture = new StoreFixture(prisma);
    accountId = await fixture.account('alice');
    const records = (version: string) => ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, payload: payload(`${id} ${id === 'a' ? version : 'same'}`) }));
    await fixture.snapshot(accountId, { bookmarks: records('v1'), meta: [{ id: 'global', payload: '{"storageVersion":5,"note":"café"}' }] }, { startedAt: day(1) });
    await fixture.snapshot(accountId, { bookmarks: records('v2').slice(0, 4), meta: [{ id: 'global', payload: '{"storageVersion":5,"note":"café"}' }] }, { startedAt: day(2) });
    await fixture.snapshot(accountId, { bookmarks: records('v3') }, { startedAt: day(3) });
    await fixture.snapshot(accountId, { bookmarks: [] }, { startedAt: day(4), status: 'failed' });
  });
  afterEach(async () => {
    await prisma.$disconnect();
    db.drop();
  });

  const kinds = (problems: StoreProblem[]) => problems.map((problem) => problem.kind);

  it('reports a healthy store as healthy, walking blobs in several batches (sizes in UTF-8 bytes)', async () => {
    assert.ok((await prisma.blob.count()) > 5);
    assert.deepEqual(await new StoreChecker(prisma, { blobBatchSize: 2 }).checkStore(), []);
  });

  it('finds a blob that versions point at but that does not exist', async () => {
    const hash = sha256(payload('b same'));
    await prisma.blob.delete({ where: { hash: new Uint8Array(hash) } });
    const problems = await new StoreChecker(prisma).checkStore();
    assert.deepEqual(kinds(problems), ['missing-blob']);
    assert.equal(problems[0]?.blobHash, hash.toString('hex'));
    assert.match(problems[0]?.message ?? '', /account "alice" bookmarks\/b/);
  });

  it('finds a blob whose payload no longer hashes to its key, in any batch', async () => {
    const blobs = await prisma.blob.findMany({ orderBy: { hash: 'asc' }, select: { hash: true, payload: true } });
    const last = blobs.at(-1);
    assert.ok(last);
    // Same length, one character changed: only the hash can tell.
    const corrupted = `${last.payload.slice(0, -2)}X${last.payload.slice(-1)}`;
    await prisma.blob.update({ where: { hash: last.hash }, data: { payload: corrupted } });
    const problems = await new StoreChecker(prisma, { blobBatchSize: 3 }).checkStore();
    assert.deepEqual(kinds(problems), ['blob-hash-mismatch']);
    assert.equal(problems[0]?.blobHash, Buffer.from(last.hash).toString('hex'));
  });

  it('finds a blob whose recorded size is wrong', async () => {
    const hash = new Uint8Array(sha256(payload('c same')));
    await prisma.blob.update({ where: { hash }, data: { size: 3 } });
    const problems = await new StoreChecker(prisma).checkStore();
    assert.deepEqual(kinds(problems), ['blob-size-mismatch']);
    assert.equal(problems[0]?.message, `blob ${Buffer.from(hash).toString('hex')}: recorded size 3 bytes, the payload has ${payload('c same').length}`);
  });

  it('finds a snapshot whose recorded count differs from the versions it sees', async () => {
    await prisma.snapshot.update({
      where: { accountId_seq: { accountId, seq: 2 } },
      data: { collections: { bookmarks: { count: 5, lastModified: 1 }, meta: { count: 1, lastModified: 1 } } },
    });
    const problems = await new StoreChecker(prisma).checkStore();
    assert.deepEqual(kinds(problems), ['snapshot-count-mismatch']);
    assert.deepEqual({ snapshot: problems[0]?.snapshotSeq, collection: problems[0]?.collection }, { snapshot: 2, collection: 'bookmarks' });
    assert.match(problems[0]?.message ?? '', /recorded 5 records, the store holds 4/);
  });

  it('finds versions a failed run wrote that a complete snapshot sees', async () => {
    // As if the run of snapshot 4 had not been rolled back and snapshot 5 had then completed.
    await prisma.recordVersion.create({
      data: { accountId, collection: 'bookmarks', bsoId: 'z', blobHash: new Uint8Array(sha256(payload('b same'))), modified: 1n, fromSeq: 4 },
    });
    await prisma.snapshot.create({
      data: { accountId, seq: 5, status: 'complete', trigger: 'test', collections: { bookmarks: { count: 6, lastModified: 1 } } },
    });
    const problems = await new StoreChecker(prisma).checkStore();
    assert.deepEqual(kinds(problems), ['incomplete-run-visible']);
    assert.match(problems[0]?.message ?? '', /1 record version\(s\) written by failed snapshot 4/);
  });

  it('finds a version whose range is empty, and a snapshot whose keys are not in custody', async () => {
    await prisma.recordVersion.updateMany({ where: { accountId, bsoId: 'e', fromSeq: 1 }, data: { toSeq: 1 } });
    await prisma.snapshot.update({ where: { accountId_seq: { accountId, seq: 3 } }, data: { keyFingerprint: 'ab'.repeat(32) } });
    const problems = await new StoreChecker(prisma).checkStore();
    // Ending bookmark e at 1 also leaves snapshot 1 one bookmark short of what it recorded.
    assert.deepEqual(kinds(problems).sort(), ['empty-version-range', 'missing-keys', 'snapshot-count-mismatch']);
    assert.equal(problems.find((problem) => problem.kind === 'snapshot-count-mismatch')?.snapshotSeq, 1);
    assert.equal(problems.find((problem) => problem.kind === 'missing-keys')?.snapshotSeq, 3);
  });

  it('lists a few problems of a kind and sums up the rest', async () => {
    await prisma.blob.updateMany({ data: { payload: 'tampered' } });
    const blobs = await prisma.blob.count();
    const problems = await new StoreChecker(prisma, { maxListedPerKind: 2, blobBatchSize: 2 }).checkStore();
    assert.deepEqual(kinds(problems), ['blob-hash-mismatch', 'blob-hash-mismatch', 'blob-hash-mismatch']);
    assert.equal(problems[2]?.message, `... and ${blobs - 2} more blobs whose payload does not match their hash`);
  });
});
