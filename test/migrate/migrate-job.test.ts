/**
 * MigrateJobHandler with a stand-in runner and job: progress goes out with the target's id and is
 * thinned out per batch, a cancel request aborts the run's signal (the job fails for good, naming
 * the checkpoint), shutdown puts the job back in the queue, a busy account fails it at once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import { MigrateJobHandler, type MigrateJobData, type MigrationRunner } from '@syncvault/daemon/jobs';
import type { MigrationProgress, MigrationRequest, MigrationResult } from '@syncvault/daemon/migrate';
import { AccountBusyError } from '@syncvault/daemon/store';

const REQUEST: MigrationRequest = { source: 'source-id', target: 'target-id', fromSnapshot: 2 };

function data(extra: Partial<MigrateJobData> = {}): MigrateJobData {
  return { accountId: 'target-id', sourceAccountId: 'source-id', trigger: 'manual', request: REQUEST, ...extra };
}

type FakeJob = Job<MigrateJobData> & { reported: unknown[]; movedToWait: Array<string | undefined> };

function fakeJob(jobData: MigrateJobData): FakeJob {
  const reported: unknown[] = [];
  const movedToWait: Array<string | undefined> = [];
  return {
    id: 'job-1',
    data: jobData,
    timestamp: 0,
    reported,
    movedToWait,
    updateProgress: async (value: unknown) => void reported.push(value),
    moveToWait: async (token?: string) => (movedToWait.push(token), 0),
  } as unknown as FakeJob;
}

function result(): MigrationResult {
  return {
    migrationId: 'm-1',
    plan: {} as MigrationResult['plan'],
    resumed: false,
    uploaded: { bookmarks: 30 },
    verification: { ok: true, collections: [{ collection: 'bookmarks', expected: 30, found: 30, mismatches: 0 }], mismatches: [] },
    notices: [],
    clients: { tokenServerUri: 'http://127.0.0.1:1/token/1.0/sync/1.5', accountsServerUri: null, desktop: [], android: [], ios: [] },
  };
}

/** Runs until its signal aborts, then rejects as the engine does (between two batches). */
function runnerUntilAborted(started: () => void): MigrationRunner {
  return {
    run: (_request, options) =>
      new Promise<MigrationResult>((_, reject) => {
        options?.onProgress?.({ migrationId: 'm-1', phase: 'uploading', collection: 'bookmarks', done: 10, total: 30 });
        options?.signal?.addEventListener('abort', () => reject(new Error('aborted between two batches')), { once: true });
        started();
      }),
  };
}

describe('MigrateJobHandler', () => {
  it('runs the request, publishes its progress with the target id, thinning out the batches, and returns the result', async () => {
    const requests: MigrationRequest[] = [];
    const handler = new MigrateJobHandler({
      // An interval no test waits for: only milestones and the last report go out.
      progressIntervalMs: 60_000,
      migrationRunner: {
        run: async (request, options) => {
          requests.push(request);
          assert.ok(options?.signal instanceof AbortSignal && !options.signal.aborted);
          const report = (progress: MigrationProgress) => options?.onProgress?.(progress);
          report({ phase: 'planning', done: 0, total: 30 });
          report({ migrationId: 'm-1', phase: 'uploading', collection: 'crypto', done: 1, total: 30 });
          for (let done = 2; done <= 20; done += 2) report({ migrationId: 'm-1', phase: 'uploading', collection: 'bookmarks', done, total: 30 });
          report({ migrationId: 'm-1', phase: 'uploading', collection: 'bookmarks', done: 22, total: 30, notice: 'the target asked to back off for 2 s' });
          report({ migrationId: 'm-1', phase: 'uploading', collection: 'bookmarks', done: 29, total: 30, notice: 'the target asked to back off for 2 s' });
          report({ migrationId: 'm-1', phase: 'verifying', done: 0, total: 30 });
          report({ migrationId: 'm-1', phase: 'verifying', collection: 'bookmarks', done: 12, total: 30 });
          report({ migrationId: 'm-1', phase: 'verifying', collection: 'bookmarks', done: 25, total: 30 });
          report({ migrationId: 'm-1', phase: 'done', done: 30, total: 30 });
          return result();
        },
      },
    });
    const job = fakeJob(data());
    const outcome = await handler.handle(job);
    assert.deepEqual(requests, [REQUEST], 'the job data request, as it is');
    assert.equal(outcome.migrationId, 'm-1');
    const sent = job.reported as Array<MigrationProgress & { accountId: string }>;
    assert.ok(sent.every((progress) => progress.accountId === 'target-id'), 'every report names the target');
    assert.deepEqual(
      sent.map((progress) => `${progress.phase} ${progress.collection ?? '-'} ${progress.done}`),
      ['planning - 0', 'uploading crypto 1', 'uploading bookmarks 2', 'uploading bookmarks 22', 'verifying - 0', 'verifying bookmarks 12', 'done - 30'],
      'a new phase, collection or notice goes out at once; batches in between are thinned out',
    );
    assert.equal(sent[3]?.notice, 'the target asked to back off for 2 s');
  });

  it('a cancel request aborts the running migration: the job fails for good and says the checkpoint stays', async () => {
    let cancelled = false;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const handler = new MigrateJobHandler({ migrationRunner: runnerUntilAborted(() => started()), cancelRequested: async (jobId) => (assert.equal(jobId, 'job-1'), cancelled), cancelCheckMs: 5 });
    const job = fakeJob(data());
    const outcome = handler.handle(job);
    await running;
    cancelled = true;
    await assert.rejects(outcome, (error: unknown) => error instanceof UnrecoverableError && /^migration into account target-id stopped: cancelled on request; its checkpoint stays: retry the job to resume$/.test(error.message));
    assert.equal((job.reported[0] as { done: number }).done, 10, 'the progress before the stop was published');
    assert.deepEqual(job.movedToWait, []);
  });

  it('a job whose cancel was asked before it started does not run', async () => {
    let ran = false;
    const handler = new MigrateJobHandler({ migrationRunner: { run: async () => ((ran = true), result()) } });
    await assert.rejects(handler.handle(fakeJob(data({ cancelRequestedAt: '2026-01-01T00:00:00.000Z' }))), /stopped: cancelled on request/);
    assert.equal(ran, false);
  });

  it('on shutdown the running migration is stopped and its job goes back to the queue under its lock token', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const handler = new MigrateJobHandler({ migrationRunner: runnerUntilAborted(() => started()) });
    const job = fakeJob(data());
    const outcome = handler.handle(job, 'lock-token');
    await running;
    handler.requeueAll('the daemon is shutting down');
    await assert.rejects(outcome, (error: unknown) => error instanceof WaitingError);
    assert.deepEqual(job.movedToWait, ['lock-token']);

    // Without a lock token (no worker holds it) there is no queue to go back to: it fails, resumable.
    let startedAgain!: () => void;
    const runningAgain = new Promise<void>((resolve) => (startedAgain = resolve));
    const tokenless = new MigrateJobHandler({ migrationRunner: runnerUntilAborted(() => startedAgain()) });
    const second = tokenless.handle(fakeJob(data()));
    await runningAgain;
    tokenless.requeueAll('the daemon is shutting down');
    await assert.rejects(second, (error: unknown) => error instanceof UnrecoverableError && /stopped: the daemon is shutting down; its checkpoint stays/.test(error.message));
  });

  it('fails a busy account at once and for good, and passes other failures on as they are', async () => {
    const busy = new MigrateJobHandler({
      migrationRunner: {
        run: async () => {
          throw new AccountBusyError('target-id');
        },
      },
    });
    await assert.rejects(busy.handle(fakeJob(data())), (error: unknown) => error instanceof UnrecoverableError && /another job is already working on account target-id/.test(error.message));

    const mismatch = Object.assign(new Error('verification failed: 1 record(s) on the target differ from the source: bookmarks/x (missing)'), { name: 'MigrationVerificationError' });
    const failing = new MigrateJobHandler({
      migrationRunner: {
        run: async () => {
          throw mismatch;
        },
      },
    });
    await assert.rejects(failing.handle(fakeJob(data())), (error: unknown) => error === mismatch);
  });
});
