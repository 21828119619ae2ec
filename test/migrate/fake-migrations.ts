/**
 * A stand-in for the migration service, for tests of what is around it (the job, the API): it
 * plans against the accounts table, "uploads" 30 bookmarks in batches of 10 with a checkpoint per
 * batch, stops between two batches when its signal aborts and resumes from the checkpoint the next
 * time, as the engine's contract says. The engine's own tests use the sandbox.
 */
import type { EngineBindings } from '@syncvault/daemon/jobs';
import { MigrationNotFoundError, MigrationRefusedError, type MigrationPlan, type MigrationProgress, type MigrationRequest, type MigrationResult, type MigrationRunOptions, type MigrationView } from '@syncvault/daemon/migrate';
import type { PrismaClient } from '@syncvault/daemon/store';

export const FAKE_TOTAL = 30;

export interface FakeRun {
  request: MigrationRequest;
  /** Records the checkpoint held when the run started. */
  resumedFrom: number;
  outcome?: 'completed' | 'interrupted';
}
const BATCH = 10;

export class FakeMigrations implements Pick<EngineBindings, 'migrationRunner' | 'migrationPlanner'> {
  /** Set: every plan is refused with it. */
  refusal: string | null = null;
  /** The requests planned through the planner (the API, the CLI), not those a run plans itself. */
  readonly planned: MigrationRequest[] = [];
  readonly runs: FakeRun[] = [];
  /** Set: each run waits here after its first batch (until it opens, or the run's signal aborts). */
  gate: Promise<void> | undefined;
  private readonly views = new Map<string, MigrationView>();
  private readonly startedListeners: Array<() => void> = [];
  private next = 1;

  constructor(private readonly prisma: PrismaClient) {}

  /** Resolves once the next run has uploaded its first batch (and waits at the gate, if any). */
  nextFirstBatch(): Promise<void> {
    return new Promise((resolve) => this.startedListeners.push(resolve));
  }

  readonly migrationPlanner = {
    plan: async (request: MigrationRequest): Promise<MigrationPlan> => {
      this.planned.push(request);
      return this.makePlan(request);
    },
    get: async (id: string): Promise<MigrationView> => {
      const view = this.views.get(id);
      if (view === undefined) throw new MigrationNotFoundError(id);
      return view;
    },
    list: async (options: { accountId?: string } = {}): Promise<MigrationView[]> =>
      [...this.views.values()]
        .filter((view) => options.accountId === undefined || view.sourceAccountId === options.accountId || view.targetAccountId === options.accountId)
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id)),
  };

  private async makePlan(request: MigrationRequest): Promise<MigrationPlan> {
    const source = await this.account(request.source);
    const target = await this.account(request.target);
    const unfinished = this.unfinished(source.id, target.id);
    return {
      source: { accountId: source.id, name: source.name, kind: source.kind as MigrationPlan['source']['kind'], snapshot: request.fromSnapshot === undefined ? null : { seq: request.fromSnapshot, finishedAt: null } },
      target: { accountId: target.id, name: target.name, tokenServerUrl: 'http://127.0.0.1:9/token/1.0/sync/1.5', collections: {}, empty: true, quota: { usedKb: 0, quotaKb: null }, limits: { max_post_records: BATCH } },
      mode: request.replace === true ? 'replace' : request.merge === true ? 'merge' : 'empty',
      rekey: request.rekey === true,
      keys: 'copy',
      metaGlobal: 'copy',
      collections: [{ collection: 'bookmarks', action: 'copy', records: FAKE_TOTAL, bytes: FAKE_TOTAL * 100, skipped: [], targetRecords: 0, ttlSeconds: null }],
      totals: { records: FAKE_TOTAL, bytes: FAKE_TOTAL * 100, batches: FAKE_TOTAL / BATCH },
      refusal: this.refusal,
      notes: [],
      resumes: unfinished === undefined || request.restart === true ? null : { migrationId: unfinished.id, done: unfinished.done, total: unfinished.total },
    };
  }

  readonly migrationRunner = {
    run: async (request: MigrationRequest, options: MigrationRunOptions = {}): Promise<MigrationResult> => {
      const plan = await this.makePlan(request);
      if (plan.refusal !== null) throw new MigrationRefusedError(plan.refusal);
      let view = request.restart === true ? undefined : this.unfinished(plan.source.accountId, plan.target.accountId);
      const resumed = view !== undefined;
      if (view === undefined) {
        const now = new Date(Date.UTC(2026, 0, 1, 0, 0, this.next)).toISOString();
        view = {
          id: `00000000-0000-4000-8000-${String(this.next++).padStart(12, '0')}`,
          sourceAccountId: plan.source.accountId,
          targetAccountId: plan.target.accountId,
          sourceSeq: request.fromSnapshot ?? 1,
          mode: plan.mode,
          rekey: plan.rekey,
          status: 'running',
          done: 0,
          total: FAKE_TOTAL,
          result: null,
          error: null,
          startedAt: now,
          updatedAt: now,
          finishedAt: null,
        };
        this.views.set(view.id, view);
      }
      view.status = 'running';
      const run: FakeRun = { request, resumedFrom: view.done };
      this.runs.push(run);
      const report = (progress: Omit<MigrationProgress, 'migrationId' | 'total'>) => options.onProgress?.({ migrationId: view.id, total: FAKE_TOTAL, ...progress });
      report({ phase: 'planning', done: view.done });
      const uploadedNow = view.done;
      while (view.done < FAKE_TOTAL) {
        if (options.signal?.aborted) {
          view.status = 'interrupted';
          run.outcome = 'interrupted';
          throw new Error('the migration was stopped between two batches');
        }
        view.done += BATCH;
        report({ phase: 'uploading', collection: 'bookmarks', done: view.done });
        if (view.done === uploadedNow + BATCH) {
          for (const listener of this.startedListeners.splice(0)) listener();
          if (this.gate !== undefined) {
            const signal = options.signal;
            await Promise.race([this.gate, new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }))]);
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      report({ phase: 'verifying', collection: 'bookmarks', done: FAKE_TOTAL });
      report({ phase: 'done', done: FAKE_TOTAL });
      const result: MigrationResult = {
        migrationId: view.id,
        plan,
        resumed,
        uploaded: { bookmarks: FAKE_TOTAL - uploadedNow },
        verification: { ok: true, collections: [{ collection: 'bookmarks', expected: FAKE_TOTAL, found: FAKE_TOTAL, mismatches: 0 }], mismatches: [] },
        notices: [],
        clients: { tokenServerUri: plan.target.tokenServerUrl, accountsServerUri: null, desktop: ['set identity.sync.tokenserver.uri'], android: [], ios: [] },
      };
      view.status = 'completed';
      view.result = result;
      view.finishedAt = view.updatedAt;
      run.outcome = 'completed';
      return result;
    },
  };

  private unfinished(sourceAccountId: string, targetAccountId: string): MigrationView | undefined {
    return [...this.views.values()].find((view) => view.sourceAccountId === sourceAccountId && view.targetAccountId === targetAccountId && (view.status === 'interrupted' || view.status === 'running'));
  }

  private async account(nameOrId: string): Promise<{ id: string; name: string; kind: string }> {
    const byId = /^[0-9a-f-]{36}$/i.test(nameOrId) ? [{ id: nameOrId }] : [];
    const account = await this.prisma.account.findFirst({ where: { OR: [...byId, { name: nameOrId }] }, select: { id: true, name: true, kind: true } });
    if (account === null) throw Object.assign(new Error(`no account ${nameOrId}`), { name: 'AccountNotFoundError' });
    return account;
  }
}
