import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BackupProgress } from '../../src/backup/types.js';
import { throttleProgress } from '../../src/jobs/progress.js';

function progress(collection: string, done: number, total: number, collectionsDone = 0): BackupProgress {
  return { accountId: 'a', snapshotSeq: 1, phase: 'collections', collection, done, total, collectionsDone, collectionsTotal: 2 };
}

describe('throttleProgress', () => {
  it('sends milestones at once, thins out the pages in between, and never loses the last report', async () => {
    const sent: BackupProgress[] = [];
    const throttle = throttleProgress<BackupProgress>(async (report) => void sent.push(report), 60_000, (error) => assert.fail(String(error)));
    throttle.report(progress('bookmarks', 0, 100));
    for (let done = 10; done < 100; done += 10) throttle.report(progress('bookmarks', done, 100));
    throttle.report(progress('bookmarks', 100, 100));
    throttle.report(progress('history', 0, 50, 1));
    throttle.report(progress('history', 20, 50, 1));
    await throttle.flush();
    assert.deepEqual(
      sent.map((report) => `${report.collection} ${report.done}`),
      ['bookmarks 0', 'bookmarks 100', 'history 0', 'history 20'],
    );
  });

  it('sends the latest pending report once the interval has passed', async () => {
    const sent: number[] = [];
    const throttle = throttleProgress<BackupProgress>(async (report) => void sent.push(report.done), 30, () => undefined);
    throttle.report(progress('history', 0, 100));
    throttle.report(progress('history', 1, 100));
    throttle.report(progress('history', 2, 100));
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(sent, [0, 2]);
    await throttle.flush();
    assert.deepEqual(sent, [0, 2]);
  });

  it('sends one report at a time, in order, and reports send errors without stopping', async () => {
    const sent: number[] = [];
    const errors: unknown[] = [];
    let inFlight = 0;
    const throttle = throttleProgress<BackupProgress>(
      async (report) => {
        inFlight += 1;
        assert.equal(inFlight, 1);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        if (report.collectionsDone === 1) throw new Error('redis hiccup');
        sent.push(report.collectionsDone);
      },
      0,
      (error) => errors.push(error),
    );
    for (let index = 0; index < 4; index++) throttle.report(progress(`c${index}`, 0, 1, index));
    await throttle.flush();
    assert.deepEqual(sent, [0, 2, 3]);
    assert.equal(errors.length, 1);
  });
});
