/**
 * Retention on real Postgres: forget removes exactly the planned snapshots, leaves every kept
 * snapshot's contents as they were, and collects the versions and blobs nothing needs any more.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AccountBusyError, AccountLock, createPrismaClient, type PrismaClient } from '@syncvault/daemon/store';
import { ForgetService, SnapshotRunningError, planRetention, type RetentionPolicy } from '@syncvault/daemon/retention';
import { SnapshotNotFoundError } from '@syncvault/daemon/history';
import { createMigratedDatabase, type ScratchDatabase } from '../support/postgres.js';
import { day, sha256, StoreFixture, type FixtureState } from './support/store-fixture.js';

interface World {
  db: ScratchDatabase;
  prisma: PrismaClient;
  fixture: StoreFixture;
  service: ForgetService;
}

async function openWorld(): Promise<World> {
  const db = createMigratedDatabase();
  const prisma = createPrismaClient(db.url);
  return { db, prisma, fixture: new StoreFixture(prisma), service: new ForgetService({ prisma, databaseUrl: db.url }) };
}

async function closeWorld(world: World): Promise<void> {
  await world.prisma.$disconnect();
  world.db.drop();
}

/** Seven runs over six days: edits, a deletion, a pre-restore snapshot, a failed run. */
function history(): Array<{ state: FixtureState; startedAt: Date; status?: 'failed'; tags?: string[] }> {
  const bookmark = (id: string, title: string) => ({ id, payload: `{"ciphertext":"bookmark ${id} ${title}"}` });
  const meta = { id: 'global', payload: '{"storageVersion":5}' };
  return [
    { startedAt: day(1, 10), state: { meta: [meta], bookmarks: [bookmark('a', 'v1'), bookmark('b', 'v1'), bookmark('c', 'v1')] } },
    { startedAt: day(1, 15), state: { meta: [meta], bookmarks: [bookmark('a', 'v2'), bookmark('b', 'v1'), bookmark('c', 'v1')] } },
    { startedAt: day(2), state: { meta: [meta], bookmarks: [bookmark('a', 'v3'), bookmark('b', 'v1'), bookmark('c', 'v1'), bookmark('d', 'v1')] } },
    { startedAt: day(3), tags: ['pre-restore'], state: { meta: [meta], bookmarks: [bookmark('a', 'v3'), bookmark('b', 'v2'), bookmark('d', 'v1'), bookmark('e', 'v1')] } },
    { startedAt: day(4), status: 'failed', state: {} },
    { startedAt: day(5), state: { meta: [meta], bookmarks: [bookmark('a', 'v4'), bookmark('b', 'v2'), bookmark('d', 'v1'), bookmark('shared', 'x')] } },
    { startedAt: day(6), state: { meta: [meta], bookmarks: [bookmark('a', 'v5'), bookmark('b', 'v2'), bookmark('d', 'v1'), bookmark('shared', 'x')] } },
  ];
}

async function buildHistory(world: World, name: string): Promise<string> {
  const accountId = await world.fixture.account(name);
  for (const run of history()) {
    await world.fixture.snapshot(accountId, run.state, { startedAt: run.startedAt, ...(run.status && { status: run.status }), ...(run.tags && { tags: run.tags }) });
  }
  return accountId;
}

/** The garbage as the visibility rule defines it, computed in JS from every row. */
async function expectedGarbage(world: World, accountId: string, keptSeqs: number[]): Promise<{ versions: number; blobHashes: Set<string> }> {
  const versions = await world.prisma.recordVersion.findMany();
  const isGarbage = (version: (typeof versions)[number]) =>
    version.accountId === accountId && version.toSeq !== null && !keptSeqs.some((seq) => version.fromSeq <= seq && seq < (version.toSeq ?? Infinity));
  const hex = (hash: Uint8Array) => Buffer.from(hash).toString('hex');
  const stillReferenced = new Set(versions.filter((version) => !isGarbage(version)).map((version) => hex(version.blobHash)));
  const blobs = await world.prisma.blob.findMany({ select: { hash: true } });
  return {
    versions: versions.filter(isGarbage).length,
    blobHashes: new Set(blobs.map((blob) => hex(blob.hash)).filter((hash) => !stillReferenced.has(hash))),
  };
}

describe('ForgetService.forget', () => {
  let world: World;
  before(async () => (world = await openWorld()));
  after(() => closeWorld(world));

  it('removes exactly the planned snapshots, keeps kept snapshots identical, and collects what only the removed ones used', async () => {
    const accountId = await buildHistory(world, 'alice');
    // Another account holds the same ciphertext as alice's "shared" bookmark and one alice drops.
    const other = await world.fixture.account('bob');
    await world.fixture.snapshot(
      other,
      { bookmarks: [{ id: 'shared', payload: '{"ciphertext":"bookmark shared x"}' }, { id: 'a', payload: '{"ciphertext":"bookmark a v2"}' }] },
      { startedAt: day(2) },
    );
    const policy: RetentionPolicy = { keepLast: 2 };
    const snapshots = await world.prisma.snapshot.findMany({ where: { accountId } });
    const plan = planRetention(snapshots, policy);
    const keptSeqs = plan.keep.map(({ snapshot }) => snapshot.seq);
    assert.deepEqual(keptSeqs.sort(), [4, 6, 7]);

    const before = new Map<number, string[]>();
    for (const seq of [...keptSeqs, 1]) before.set(seq, await world.fixture.contents(accountId, seq));
    const bobBefore = await world.fixture.contents(other, 1);
    const garbage = await expectedGarbage(world, accountId, keptSeqs);
    assert.ok(garbage.versions > 0 && garbage.blobHashes.size > 0, 'the history leaves something to collect');
    const dropped = sha256('{"ciphertext":"bookmark a v1"}').toString('hex');
    assert.ok(garbage.blobHashes.has(dropped));

    const report = await world.service.forget(accountId, policy);

    assert.equal(report.dryRun, false);
    assert.deepEqual(report.removed.snapshots.map((snapshot) => snapshot.seq).sort(), [1, 2, 3, 5]);
    assert.equal(report.removed.snapshots.find((snapshot) => snapshot.seq === 5)?.reason, 'failed');
    assert.deepEqual(report.kept.find((snapshot) => snapshot.seq === 4)?.reasons, ['pre-restore']);
    assert.deepEqual(report.kept.find((snapshot) => snapshot.seq === 7)?.reasons, ['last', 'newest']);
    const remaining = await world.prisma.snapshot.findMany({ where: { accountId }, orderBy: { seq: 'asc' } });
    assert.deepEqual(remaining.map((snapshot) => snapshot.seq), [4, 6, 7]);
    for (const seq of keptSeqs) assert.deepEqual(await world.fixture.contents(accountId, seq), before.get(seq), `snapshot ${seq} unchanged`);
    assert.deepEqual(await world.fixture.contents(other, 1), bobBefore, "the other account's snapshot is unchanged");

    assert.equal(report.removed.versions, garbage.versions);
    assert.equal(report.removed.blobs, garbage.blobHashes.size);
    const blobsLeft = new Set((await world.prisma.blob.findMany({ select: { hash: true } })).map((blob) => Buffer.from(blob.hash).toString('hex')));
    for (const hash of garbage.blobHashes) assert.ok(!blobsLeft.has(hash), `blob ${hash} was collected`);
    assert.ok(blobsLeft.has(sha256('{"ciphertext":"bookmark shared x"}').toString('hex')), 'a blob still used is kept');
    assert.ok(blobsLeft.has(sha256('{"ciphertext":"bookmark a v2"}').toString('hex')), "a blob only the other account uses now is kept");
    // Nothing left that no remaining snapshot sees, and every current version stays.
    const leftover = await expectedGarbage(world, accountId, keptSeqs);
    assert.equal(leftover.versions, 0);
    assert.equal(leftover.blobHashes.size, 0);
    assert.equal(report.removed.bytes > 0, true);
  });

  it('a dry run reports the same figures as the real run and changes nothing', async () => {
    const accountId = await buildHistory(world, 'carol');
    const policy: RetentionPolicy = { keepDaily: 2 };
    const counts = await world.fixture.tableCounts();
    const contents = await world.fixture.contents(accountId, 1);

    const dry = await world.service.forget(accountId, policy, { dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.deepEqual(await world.fixture.tableCounts(), counts);
    assert.deepEqual(await world.fixture.contents(accountId, 1), contents);
    assert.ok(dry.removed.snapshots.length > 0 && dry.removed.versions > 0);

    const real = await world.service.forget(accountId, policy);
    assert.deepEqual({ ...real, dryRun: true }, dry);
  });

  it('an empty policy removes only failed snapshots and keeps every complete one', async () => {
    const accountId = await buildHistory(world, 'dave');
    const report = await world.service.forget(accountId, {});
    assert.deepEqual(report.removed.snapshots.map((snapshot) => snapshot.seq), [5]);
    assert.equal(report.removed.versions, 0);
    assert.deepEqual(report.kept.map((snapshot) => snapshot.seq), [7, 6, 4, 3, 2, 1]);
  });

  it('refuses to run while another job holds the account', async () => {
    const accountId = await world.fixture.account('erin');
    const lock = await AccountLock.acquire(world.db.url, accountId);
    try {
      await assert.rejects(world.service.forget(accountId, { keepLast: 1 }), AccountBusyError);
    } finally {
      await lock.release();
    }
  });

  it('forgetByStoredPolicy applies Account.retention', async () => {
    const accountId = await buildHistory(world, 'frank');
    await world.prisma.account.update({ where: { id: accountId }, data: { retention: { keepLast: 1 } } });
    const report = await world.service.forgetByStoredPolicy(accountId);
    assert.deepEqual(report.policy, { keepLast: 1 });
    assert.deepEqual(report.kept.map((snapshot) => snapshot.seq), [7, 4]);
  });
});

describe('ForgetService.removeSnapshot', () => {
  let world: World;
  before(async () => (world = await openWorld()));
  after(() => closeWorld(world));

  it('removes a pre-restore snapshot by hand and what only it saw', async () => {
    const accountId = await buildHistory(world, 'alice');
    const others = new Map<number, string[]>();
    for (const seq of [3, 6]) others.set(seq, await world.fixture.contents(accountId, seq));
    const garbage = await expectedGarbage(world, accountId, [1, 2, 3, 6, 7]);

    assert.equal(garbage.versions, 1, 'bookmark e existed only in the pre-restore snapshot');
    const removed = await world.service.removeSnapshot(accountId, 4);

    assert.deepEqual(removed.snapshots.map(({ seq, reason }) => ({ seq, reason })), [{ seq: 4, reason: 'by-hand' }]);
    assert.equal(removed.versions, garbage.versions);
    assert.equal(await world.prisma.snapshot.count({ where: { accountId, seq: 4 } }), 0);
    assert.equal(await world.prisma.recordVersion.count({ where: { accountId, bsoId: 'e' } }), 0);
    for (const [seq, contents] of others) assert.deepEqual(await world.fixture.contents(accountId, seq), contents);
  });

  it('keeps the current versions when the newest snapshot goes: the next backup compares with them', async () => {
    const accountId = await buildHistory(world, 'bob');
    const current = await world.prisma.recordVersion.count({ where: { accountId, toSeq: null } });
    await world.service.removeSnapshot(accountId, 7);
    assert.equal(await world.prisma.recordVersion.count({ where: { accountId, toSeq: null } }), current);
    // What snapshot 7 closed is still there for snapshot 6.
    assert.ok((await world.fixture.contents(accountId, 6)).includes('bookmarks/a={"ciphertext":"bookmark a v4"}'));
  });

  it('keeps what a running snapshot touched, so rolling it back can reopen it', async () => {
    const accountId = await world.fixture.account('carol');
    const record = (payload: string) => ({ bookmarks: [{ id: 'x', payload }] });
    await world.fixture.snapshot(accountId, record('"one"'), { startedAt: day(1) });
    await world.fixture.snapshot(accountId, record('"two"'), { startedAt: day(2) });
    // A run that died mid-way: it replaced x (closing "two" at seq 3) but never completed.
    await world.fixture.snapshot(accountId, record('"three"'), { startedAt: day(3), status: 'running' });

    const removed = await world.service.removeSnapshot(accountId, 2);
    assert.deepEqual(removed.snapshots.map((snapshot) => snapshot.seq), [2]);
    const versions = await world.prisma.recordVersion.findMany({ where: { accountId }, orderBy: { fromSeq: 'asc' } });
    assert.deepEqual(
      versions.map(({ fromSeq, toSeq }) => [fromSeq, toSeq]),
      [
        [1, 2],
        [2, 3],
        [3, null],
      ],
    );

    const report = await world.service.forget(accountId, { keepLast: 1 });
    assert.deepEqual(report.running.map((snapshot) => snapshot.seq), [3]);
    assert.equal(await world.prisma.snapshot.count({ where: { accountId, seq: 3, status: 'running' } }), 1);
    assert.equal(await world.prisma.recordVersion.count({ where: { accountId, fromSeq: 2 } }), 1, 'the version the running snapshot closed survives');
  });

  it('refuses a running snapshot and an unknown one', async () => {
    const accountId = await world.fixture.account('dave');
    await world.fixture.snapshot(accountId, { bookmarks: [] }, { startedAt: day(1), status: 'running' });
    await assert.rejects(world.service.removeSnapshot(accountId, 1), SnapshotRunningError);
    await assert.rejects(world.service.removeSnapshot(accountId, 9), (error: unknown) => error instanceof SnapshotNotFoundError && /no snapshot 9/.test(error.message));
  });
});
