import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UnrecoverableError, type Job } from 'bullmq';
import type { BackupProgress, BackupRequest, SnapshotSummary } from '../../src/backup/types.js';
import { BackupJobHandler, BackupFailedError } from '../../src/jobs/backup-job.js';
import { hasRetentionPolicy } from '../../src/jobs/retention-job.js';
import type { BackupJobData } from '../../src/jobs/queues.js';
import type { SyncConnection } from '../../src/sync/connection.js';
import { AccountBusyError } from '../../src/store/locks.js';

const CONNECTION = { kind: 'legacy11' } as SyncConnection;

function summary(status: SnapshotSummary['status'] = 'complete'): SnapshotSummary {
  return {
    accountId: 'acc',
    seq: 4,
    status,
    trigger: 'schedule',
    tags: [],
    startedAt: new Date('2026-01-02T03:04:05Z'),
    finishedAt: new Date('2026-01-02T03:05:00Z'),
    collections: { bookmarks: { count: 3, lastModified: 1 } },
    versionsAdded: 3,
    keyFingerprint: 'f',
    alerts: [],
  };
}

function fakeJob(data: BackupJobData): Job<BackupJobData> & { reported: unknown[] } {
  const reported: unknown[] = [];
  return {
    id: 'job-1',
    data,
    timestamp: 0,
    reported,
    updateProgress: async (value: unknown) => void reported.push(value),
  } as unknown as Job<BackupJobData> & { reported: unknown[] };
}

describe('BackupJobHandler', () => {
  it('opens the account, runs the backup with progress, returns the summary as JSON and queues retention after a scheduled run', async () => {
    const requests: BackupRequest[] = [];
    const retention: string[] = [];
    const handler = new BackupJobHandler({
      connectionOpener: { openConnection: async (accountId) => (assert.equal(accountId, 'acc'), CONNECTION) },
      backupRunner: {
        run: async (request) => {
          requests.push(request);
          request.onProgress?.({ accountId: 'acc', snapshotSeq: 4, phase: 'starting', done: 0, total: 0, collectionsDone: 0, collectionsTotal: 1 } satisfies BackupProgress);
          return summary();
        },
      },
      afterScheduledBackup: async (accountId) => void retention.push(accountId),
    });
    const job = fakeJob({ accountId: 'acc', trigger: 'schedule' });
    const result = await handler.handle(job);
    assert.equal(requests[0]?.connection, CONNECTION);
    assert.equal(requests[0]?.trigger, 'schedule');
    assert.ok(requests[0]?.signal instanceof AbortSignal);
    assert.equal(result.startedAt, '2026-01-02T03:04:05.000Z');
    assert.equal(result.finishedAt, '2026-01-02T03:05:00.000Z');
    assert.deepEqual(JSON.parse(JSON.stringify(result)), result, 'the result survives Redis as it is');
    assert.equal(job.reported.length, 1);
    assert.deepEqual(retention, ['acc']);

    await handler.handle(fakeJob({ accountId: 'acc', trigger: 'manual' }));
    assert.deepEqual(retention, ['acc'], 'a manual backup queues no retention');
  });

  it('fails a busy account at once and for good (no retry), and a failed snapshot as an error', async () => {
    const busy = new BackupJobHandler({
      connectionOpener: { openConnection: async () => CONNECTION },
      backupRunner: {
        run: async () => {
          throw new AccountBusyError('acc');
        },
      },
    });
    await assert.rejects(busy.handle(fakeJob({ accountId: 'acc', trigger: 'manual' })), (error: unknown) => error instanceof UnrecoverableError && /another job is already working on account acc/.test(error.message));

    const failed = new BackupJobHandler({ connectionOpener: { openConnection: async () => CONNECTION }, backupRunner: { run: async () => summary('failed') } });
    await assert.rejects(failed.handle(fakeJob({ accountId: 'acc', trigger: 'schedule' })), BackupFailedError);
  });

  it('tells running backups to stop on abortAll, failing their jobs with the reason', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const handler = new BackupJobHandler({
      connectionOpener: { openConnection: async () => CONNECTION },
      backupRunner: {
        run: (request) =>
          new Promise((_, reject) => {
            started();
            request.signal?.addEventListener('abort', () => reject(new Error('stopped')));
          }),
      },
    });
    const outcome = handler.handle(fakeJob({ accountId: 'acc', trigger: 'manual' }));
    await running;
    handler.abortAll('the daemon is shutting down');
    await assert.rejects(outcome, (error: unknown) => error instanceof UnrecoverableError && error.message === 'backup of account acc stopped: the daemon is shutting down');
  });

  it('stops a running backup once a cancel request shows up in the job, failing the job for good', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let requested = false;
    const asked: string[] = [];
    const handler = new BackupJobHandler({
      connectionOpener: { openConnection: async () => CONNECTION },
      backupRunner: {
        run: (request) =>
          new Promise((_, reject) => {
            started();
            request.signal?.addEventListener('abort', () => reject(request.signal?.reason));
          }),
      },
      cancelRequested: async (jobId) => (asked.push(jobId), requested),
      cancelCheckMs: 5,
    });
    const outcome = handler.handle(fakeJob({ accountId: 'acc', trigger: 'manual' }));
    await running;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.ok(asked.length >= 1 && asked.every((id) => id === 'job-1'), 'it keeps asking about its own job');
    requested = true;
    await assert.rejects(outcome, (error: unknown) => error instanceof UnrecoverableError && error.message === 'backup of account acc stopped: cancelled on request');
    const askedWhenDone = asked.length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(asked.length, askedWhenDone, 'it stops asking once the job is over');
  });

  it('does not even sign in when the job was cancelled before it started', async () => {
    let opened = 0;
    const handler = new BackupJobHandler({
      connectionOpener: { openConnection: async () => (opened++, CONNECTION) },
      backupRunner: { run: async () => summary() },
    });
    await assert.rejects(
      handler.handle(fakeJob({ accountId: 'acc', trigger: 'manual', cancelRequestedAt: '2026-01-02T03:04:05.000Z' })),
      (error: unknown) => error instanceof UnrecoverableError && error.message === 'backup of account acc stopped: cancelled on request',
    );
    assert.equal(opened, 0);
  });
});

describe('hasRetentionPolicy', () => {
  it('is true only when some rule keeps a bounded number', () => {
    assert.equal(hasRetentionPolicy({}), false);
    assert.equal(hasRetentionPolicy(null), false);
    assert.equal(hasRetentionPolicy({ keepDaily: 0 }), false);
    assert.equal(hasRetentionPolicy({ keepDaily: 7 }), true);
    assert.equal(hasRetentionPolicy({ keepLast: 1, keepWeekly: 0 }), true);
  });
});
