/**
 * A backup worker process killed with SIGKILL in the middle of a collection: no snapshot of
 * that run is ever marked complete, and the next run undoes what it had written and completes
 * with exactly the content a fresh full backup of the same server has.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BackupWorld, storage15Path, type BackedUpAccount } from './support/backup-world.js';
import type { WorkerInput, WorkerLine } from './support/backup-worker.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./support/backup-worker.js', import.meta.url));
const PAGE_SIZE = 20;

/** Starts the worker and SIGKILLs it at its first progress report from inside history; resolves with that report. */
async function killInsideHistory(input: WorkerInput): Promise<{ done: number; total: number; snapshotSeq: number }> {
  const child = spawn(process.execPath, [WORKER_SCRIPT], {
    env: { ...process.env, BACKUP_WORKER_INPUT: JSON.stringify(input) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let killedAt: { done: number; total: number; snapshotSeq: number } | undefined;
  for await (const text of createInterface({ input: child.stdout })) {
    const line = JSON.parse(text) as WorkerLine;
    if ('error' in line) assert.fail(`the worker failed before it was killed: ${line.error}`);
    if ('done' in line) assert.fail('the worker finished before it was killed');
    const { collection, done, total, snapshotSeq } = line.progress;
    if (collection === 'history' && done > 0 && done < total) {
      killedAt = { done, total, snapshotSeq };
      child.kill('SIGKILL');
      break;
    }
  }
  assert.equal(await exited, 'SIGKILL');
  assert.ok(killedAt, 'the worker reported progress inside history');
  return killedAt;
}

/** (collection, id, blob, modified, sortindex) of every record a snapshot holds: its content, whoever took it. */
async function contentOf(world: BackupWorld, accountId: string, seq: number): Promise<string[]> {
  const snapshot = await world.repository.get(accountId, seq);
  assert.ok(snapshot);
  const rows: string[] = [];
  for (const collection of Object.keys(snapshot.collections)) {
    for (const version of (await world.snapshotRecords(accountId, seq, collection)).values()) {
      rows.push([collection, version.bsoId, version.blobHash, version.modified, version.sortindex, version.hmacValid].join(' '));
    }
  }
  return rows.sort();
}

describe('backup engine: a worker killed mid-backup', () => {
  let world: BackupWorld;
  before(async () => {
    world = await BackupWorld.start();
  });
  after(() => world.close());

  it('leaves no complete snapshot; the next run rolls the dead one back and equals a fresh full backup', async () => {
    const subject: BackedUpAccount = await world.seededAccount('fxa');
    // Every history page is slow, so the worker is surely inside history when it reports from there.
    await world.sandbox.addFault({ path: storage15Path(subject.account, '/storage/history'), method: 'GET', count: 1000, kind: 'delay', delayMs: 200 });

    const killedAt = await killInsideHistory({
      databaseUrl: world.database.url,
      vaultKeyHex: world.vaultKey.toString('hex'),
      accountId: subject.accountId,
      fxaUrl: world.sandbox.urls.fxa,
      tokenServerUrl: world.sandbox.urls.tokenServer,
      email: subject.account.email,
      password: subject.account.password,
      pageSize: PAGE_SIZE,
    });
    await world.sandbox.reset();

    const dead = await world.repository.get(subject.accountId, killedAt.snapshotSeq);
    assert.equal(dead?.status, 'running', 'the killed run never completed its snapshot');
    assert.equal(await world.repository.latestComplete(subject.accountId), null);
    const written = await world.versionCount(subject.accountId, { fromSeq: killedAt.snapshotSeq });
    assert.ok(written >= killedAt.done, `the dead run had written ${written} versions, history pages included`);

    const next = await world.backup(subject);
    assert.equal(next.status, 'complete');
    assert.equal(next.seq, killedAt.snapshotSeq + 1);
    const rolledBack = await world.repository.get(subject.accountId, killedAt.snapshotSeq);
    assert.equal(rolledBack?.status, 'failed');
    assert.equal(rolledBack?.error, 'interrupted');
    assert.equal(await world.versionCount(subject.accountId, { fromSeq: killedAt.snapshotSeq }), 0, 'nothing of the dead run remains');
    await world.assertSnapshotEqualsServer(subject.accountId, next.seq, subject.connection);

    const fresh: BackedUpAccount = { ...subject, accountId: await world.accountRow(subject.account) };
    const baseline = await world.backup(fresh);
    assert.deepEqual(await contentOf(world, subject.accountId, next.seq), await contentOf(world, fresh.accountId, baseline.seq));
    assert.equal(next.versionsAdded, baseline.versionsAdded);
  });
});
