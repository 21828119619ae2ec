/**
 * Stand-ins for the backup engine, the accounts service, retention, restores and migrations, for tests of the job
 * machinery itself (queues, workers, progress, schedules): they do no Sync work, report scripted
 * progress and return a fixed summary. Tests of real backups live with the engine (test/backup).
 */
import type { BackupProgress, BackupRequest, SnapshotSummary } from '@syncvault/daemon/backup';
import type { EngineBindings } from '@syncvault/daemon/jobs';
import type { SyncConnection } from '@syncvault/daemon/sync';

export const FAKE_COLLECTIONS = { bookmarks: 12, history: 30 } as const;

export class FakeEngine implements EngineBindings {
  readonly runs: Array<Omit<BackupRequest, 'connection' | 'onProgress' | 'signal'>> = [];
  readonly opened: string[] = [];
  readonly retentions: string[] = [];
  /** When set, each backup waits for it before reporting progress. */
  gate: Promise<void> | undefined;
  /** When set, each backup throws it (after opening the connection). */
  failWith: Error | undefined;
  private seq = 0;
  private readonly startedListeners: Array<() => void> = [];

  /** Resolves when the next backup has started (and is waiting at the gate, if any). */
  nextStart(): Promise<void> {
    return new Promise((resolve) => this.startedListeners.push(resolve));
  }

  readonly connectionOpener = {
    openConnection: async (accountId: string): Promise<SyncConnection> => {
      this.opened.push(accountId);
      return { kind: 'legacy11', storage: {} as SyncConnection['storage'], rootBundle: {} as SyncConnection['rootBundle'] };
    },
  };

  readonly backupRunner = {
    run: async (request: BackupRequest): Promise<SnapshotSummary> => {
      this.runs.push({ accountId: request.accountId, trigger: request.trigger, ...(request.tags !== undefined && { tags: request.tags }) });
      const seq = ++this.seq;
      for (const listener of this.startedListeners.splice(0)) listener();
      if (this.failWith !== undefined) throw this.failWith;
      if (this.gate !== undefined) {
        // Like the real engine, a waiting backup stops when told to (shutdown).
        await Promise.race([
          this.gate,
          new Promise((_, reject) => request.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true })),
        ]);
      }
      const names = Object.keys(FAKE_COLLECTIONS) as Array<keyof typeof FAKE_COLLECTIONS>;
      const report = (progress: Omit<BackupProgress, 'accountId' | 'snapshotSeq' | 'collectionsTotal'>) =>
        request.onProgress?.({ accountId: request.accountId, snapshotSeq: seq, collectionsTotal: names.length, ...progress });
      report({ phase: 'starting', done: 0, total: 0, collectionsDone: 0 });
      for (const [index, name] of names.entries()) {
        const total = FAKE_COLLECTIONS[name];
        for (let done = 0; done <= total; done += 6) {
          report({ phase: 'collections', collection: name, done: Math.min(done, total), total, collectionsDone: index });
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (request.signal?.aborted) throw new Error('aborted');
        }
        report({ phase: 'collections', collection: name, done: total, total, collectionsDone: index + 1 });
      }
      report({ phase: 'finishing', done: 0, total: 0, collectionsDone: names.length });
      const startedAt = new Date();
      return {
        accountId: request.accountId,
        seq,
        status: 'complete',
        trigger: request.trigger,
        tags: request.tags ?? [],
        startedAt,
        finishedAt: new Date(),
        collections: Object.fromEntries(names.map((name) => [name, { count: FAKE_COLLECTIONS[name], lastModified: 1_700_000_000_000 }])),
        versionsAdded: FAKE_COLLECTIONS.bookmarks + FAKE_COLLECTIONS.history,
        keyFingerprint: null,
        alerts: [],
      };
    },
  };

  readonly retentionRunner = {
    applyRetention: async (accountId: string): Promise<unknown> => {
      this.retentions.push(accountId);
      return { accountId, removed: 0 };
    },
  };

  /** The job machinery's tests queue no restores; restores run against the sandbox in test/restore. */
  readonly restoreRunner = {
    apply: async (): Promise<never> => {
      throw new Error('the fake engine does not restore');
    },
  };

  /** Nor migrations: test/migrate has its own stand-in (fake-migrations.ts) and the real engine's tests. */
  readonly migrationRunner = {
    run: async (): Promise<never> => {
      throw new Error('the fake engine does not migrate');
    },
  };

  readonly migrationPlanner = {
    plan: async (): Promise<never> => {
      throw new Error('the fake engine does not migrate');
    },
    get: async (): Promise<never> => {
      throw new Error('the fake engine does not migrate');
    },
    list: async (): Promise<never> => {
      throw new Error('the fake engine does not migrate');
    },
  };
}

/** A gate a test opens when it is ready for the backup to go on. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
