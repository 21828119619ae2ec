'use client';

import Link from 'next/link';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, describeError } from '../lib/api';
import { formatBytes, formatCount, formatDateTime, kindLabel, snapshotRecords } from '../lib/format';
import { useJobEvents } from '../lib/job-events';
import { canBeTarget, KEYS_WORDS, limitLabel, limitValue, META_GLOBAL_WORDS, migrationHref, migrationPercent, migrationPhaseText, MODE_WORDS, RECORDS_ACTION_WORDS, ttlLabel } from '../lib/migrate';
import type { Account, Job, MigrationJobProgress, MigrationMode, MigrationPlan, MigrationRequest, MigrationResult, MigrationView } from '../lib/types';
import { useApi } from '../lib/use-api';
import { Badge } from './badge';
import { JobProgress } from './job-progress';
import { MigrationList, MigrationReport } from './migration-report';
import { ProgressBar } from './progress-bar';
import { Empty, ErrorState, Loading } from './states';

/** Complete snapshots offered as a source. */
const SNAPSHOTS_OFFERED = 100;

function findAccount(accounts: Account[], nameOrId: string | undefined): Account | undefined {
  if (nameOrId === undefined || nameOrId === '') return undefined;
  return accounts.find((account) => account.id === nameOrId) ?? accounts.find((account) => account.name === nameOrId);
}

function PlanTable({ plan }: { plan: MigrationPlan }) {
  return (
    <div className="table-wrap" role="region" aria-label="What moves, per collection" tabIndex={0}>
      <table className="table table-stack migration-plan-table">
        <thead>
          <tr>
            <th scope="col">Collection</th>
            <th scope="col">Action</th>
            <th scope="col" className="number">
              Records
            </th>
            <th scope="col" className="number">
              Size
            </th>
            <th scope="col">Left out</th>
            <th scope="col" className="number">
              On the target now
            </th>
            <th scope="col">Expires</th>
          </tr>
        </thead>
        <tbody>
          {plan.collections.map((collection) => (
            <tr key={collection.collection} data-collection={collection.collection} data-records={collection.records} data-action={collection.action} data-target-records={collection.targetRecords} data-skipped={collection.skipped.reduce((sum, skip) => sum + skip.count, 0)}>
              <td data-label="Collection">
                <strong>{collection.collection}</strong>
                {collection.note !== undefined && <span className="hint">{collection.note}</span>}
              </td>
              <td data-label="Action">{collection.action === 'skip' ? <Badge tone="neutral">Skip</Badge> : RECORDS_ACTION_WORDS[collection.action]}</td>
              <td data-label="Records" className="number">
                {formatCount(collection.records)}
              </td>
              <td data-label="Size" className="number">
                {formatBytes(collection.bytes)}
              </td>
              <td data-label="Left out">
                {collection.skipped.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  <ul className="skipped-list">
                    {collection.skipped.map((skip) => (
                      <li key={skip.reason}>
                        {formatCount(skip.count)}: {skip.reason}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td data-label="On the target" className="number">
                {formatCount(collection.targetRecords)}
              </td>
              <td data-label="Expires">{collection.ttlSeconds === null ? 'never' : `after ${ttlLabel(collection.ttlSeconds)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TargetFacts({ plan }: { plan: MigrationPlan }) {
  const held = Object.values(plan.target.collections).reduce((sum, count) => sum + count, 0);
  // The quota has its own line (info/quota), whatever info/configuration says of it.
  const limits = Object.entries(plan.target.limits).filter(([key]) => key !== 'max_quota_limit');
  const { quota } = plan.target;
  return (
    <dl className="facts">
      <div>
        <dt>Holds now</dt>
        <dd data-target-empty={plan.target.empty ? 'yes' : 'no'}>
          {plan.target.empty ? 'Nothing: the target is empty.' : `${formatCount(held)} ${held === 1 ? 'record' : 'records'} in ${formatCount(Object.keys(plan.target.collections).length)} ${Object.keys(plan.target.collections).length === 1 ? 'collection' : 'collections'}.`}
        </dd>
      </div>
      <div>
        <dt>Storage used</dt>
        <dd>
          {formatBytes(quota.usedKb * 1000)}
          {quota.quotaKb === null ? ', no quota' : ` of a ${formatBytes(quota.quotaKb * 1000)} quota`}
        </dd>
      </div>
      {limits.length > 0 && (
        <div>
          <dt>Server limits</dt>
          <dd>
            <ul className="limit-list" aria-label="The target’s limits">
              {limits.map(([key, value]) => (
                <li key={key} data-limit={key}>
                  {limitLabel(key)}: {limitValue(key, value)}
                </li>
              ))}
            </ul>
          </dd>
        </div>
      )}
    </dl>
  );
}

/** The daemon's note on a live source's figures: the page says it in its own words. */
const LIVE_FIGURES = /^figures from the latest snapshot/;

function PlanView({ plan, live }: { plan: MigrationPlan; live: boolean }) {
  const snapshot = plan.source.snapshot;
  const notes = plan.notes.filter((note) => !LIVE_FIGURES.test(note));
  return (
    <div className="plan migration-plan" data-refused={plan.refusal === null ? 'no' : 'yes'} data-total-records={plan.totals.records}>
      <p className="plan-summary">
        <strong>
          {formatCount(plan.totals.records)} {plan.totals.records === 1 ? 'record' : 'records'}
        </strong>{' '}
        ({formatBytes(plan.totals.bytes)}, in {formatCount(plan.totals.batches)} {plan.totals.batches === 1 ? 'upload' : 'uploads'}) from <strong>{plan.source.name}</strong> ({kindLabel(plan.source.kind)}) to <strong>{plan.target.name}</strong> at{' '}
        <code>{plan.target.tokenServerUrl}</code>.
      </p>
      <p className="plan-source" data-source-snapshot={snapshot?.seq ?? ''}>
        {plan.resumes !== null
          ? `Snapshot #${snapshot?.seq ?? '?'}: the one the unfinished migration started from, which resuming goes on copying.`
          : live
            ? `The account as it is now: a fresh backup is taken first and copied${snapshot === null ? '' : `; these numbers are those of its latest snapshot, #${snapshot.seq}${snapshot.finishedAt === null ? '' : ` (${formatDateTime(snapshot.finishedAt)})`}`}.`
            : `Snapshot #${snapshot?.seq ?? '?'}${snapshot?.finishedAt == null ? '' : ` of ${formatDateTime(snapshot.finishedAt)}`}, as it is.`}
      </p>
      <dl className="facts">
        <div>
          <dt>Target data</dt>
          <dd data-mode={plan.mode}>{MODE_WORDS[plan.mode]}</dd>
        </div>
        <div>
          <dt>Keys</dt>
          <dd data-keys={plan.keys}>{KEYS_WORDS[plan.keys] ?? plan.keys}</dd>
        </div>
        <div>
          <dt>meta/global</dt>
          <dd data-meta-global={plan.metaGlobal}>{META_GLOBAL_WORDS[plan.metaGlobal] ?? plan.metaGlobal}</dd>
        </div>
      </dl>
      <h3>Per collection, in upload order</h3>
      <PlanTable plan={plan} />
      <h3>The target</h3>
      <TargetFacts plan={plan} />
      {notes.length > 0 && (
        <ul className="plan-notes" aria-label="Notes">
          {notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The job's live progress: the phase in words, a bar, and what the target said along the way. */
function MigrationRun({ jobId, label, onFinished }: { jobId: string; label: string; onFinished: (job: Job, migrationId: string | undefined) => void }) {
  const migrationId = useRef<string | undefined>(undefined);
  const finished = useCallback((job: Job) => onFinished(job, migrationId.current ?? (job.progress as MigrationJobProgress | null)?.migrationId), [onFinished]);
  const live = useJobEvents(jobId, undefined, finished);
  // A migration job reports MigrationProgress whatever its queue is named.
  const progress = live.progress as MigrationJobProgress | null;
  const [notices, setNotices] = useState<string[]>([]);
  if (progress?.migrationId !== undefined) migrationId.current = progress.migrationId;

  const notice = progress?.notice;
  useEffect(() => {
    if (notice !== undefined && notice !== '') setNotices((seen) => (seen[seen.length - 1] === notice ? seen : [...seen, notice]));
  }, [notice]);

  const [stopping, setStopping] = useState<'no' | 'asking' | 'asked'>('no');
  const [stopError, setStopError] = useState<string | undefined>(undefined);
  async function stop() {
    setStopping('asking');
    setStopError(undefined);
    try {
      await api.cancelJob(jobId);
      setStopping('asked');
    } catch (error) {
      setStopping('no');
      setStopError(describeError(error));
    }
  }

  const state = live.job?.state;
  if (state === 'failed') {
    const stopped = live.job?.cancelRequestedAt != null;
    return (
      <div className="job-progress migration-progress state state-error job-failed" data-job-id={jobId} data-state="failed" data-stopped={stopped ? 'yes' : 'no'} role="alert">
        <p>
          <strong>{stopped ? 'Stopped.' : 'Failed.'}</strong>{' '}
          <span className="job-error">{stopped ? 'What was uploaded stays on the target; planning the same migration again resumes it from its checkpoint.' : (live.job?.failedReason ?? 'The migration failed without a reason.')}</span>
        </p>
      </div>
    );
  }
  const percent = state === 'completed' ? 100 : progress === null ? 0 : Math.min(99, migrationPercent(progress));
  let text: string;
  if (state === 'completed') text = 'Done';
  else if (state === 'waiting' || state === 'prioritized' || state === 'delayed') text = 'Queued, waiting for a worker';
  else if (stopping === 'asked' || live.job?.cancelRequestedAt != null) text = 'Stopping after the current batch: the checkpoint is kept';
  else if (progress === null) text = 'Starting';
  else text = migrationPhaseText(progress);
  return (
    <div className="job-progress migration-progress" data-job-id={jobId} data-state={state ?? 'unknown'} data-phase={progress?.phase ?? ''}>
      <ProgressBar percent={percent} label={label} tone={state === 'completed' ? 'done' : 'running'} />
      <p className="job-progress-phase" aria-live="polite">
        {text}
      </p>
      {notices.length > 0 && (
        <ul className="plan-notes migration-notices" aria-label="What the target said">
          {notices.map((item, index) => (
            <li key={index}>{item}</li>
          ))}
        </ul>
      )}
      {state !== 'completed' && (
        <div className="actions">
          <button type="button" className="button button-quiet button-small" onClick={() => void stop()} disabled={stopping !== 'no'} aria-describedby={`stop-hint-${jobId}`}>
            {stopping === 'no' ? 'Stop' : 'Stopping…'}
          </button>
          <span className="hint" id={`stop-hint-${jobId}`}>
            Stops after the batch being uploaded; running it again later resumes from there.
          </span>
        </div>
      )}
      {stopError !== undefined && (
        <p className="banner banner-error" role="alert">
          {stopError}
        </p>
      )}
    </div>
  );
}

/** A source never backed up has nothing to plan from: one backup first, with its progress. */
function BackUpFirst({ account, onDone }: { account: Account; onDone: () => void }) {
  const [jobId, setJobId] = useState<string | undefined>(undefined);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  async function start() {
    setStarting(true);
    setError(undefined);
    try {
      setJobId((await api.backupNow(account.id)).jobId);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setStarting(false);
    }
  }

  const finished = useCallback(
    (job: Job) => {
      if (job.state === 'completed') onDone();
    },
    [onDone],
  );

  return (
    <div className="back-up-first" data-back-up-first>
      <p className="hint">{account.name} has no complete snapshot yet. The plan counts what would move from one, so back it up once first.</p>
      {jobId === undefined ? (
        <button type="button" className="button button-secondary button-small" onClick={() => void start()} disabled={starting}>
          {starting ? 'Starting…' : `Back up ${account.name} now`}
        </button>
      ) : (
        <JobProgress jobId={jobId} label={`Backup of ${account.name}`} onFinished={finished} />
      )}
      {error !== undefined && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

type Stage = { step: 'choose' } | { step: 'starting' } | { step: 'running'; jobId: string; request: MigrationRequest; names: { source: string; target: string } };

type Finished = { job: Job; result: MigrationResult | null; view: MigrationView | undefined; migrationId: string | undefined };

/**
 * The migration wizard: choose the source (live, or a snapshot) and a Sync 1.5 target with the
 * options, read the plan (a dry run against both servers), run it with live progress, then read
 * the verification and the settings that point Firefox at the target.
 */
export function MigratePage({ initialSource, initialTarget }: { initialSource?: string; initialTarget?: string }) {
  const accounts = useApi(() => api.accounts(), 'accounts');
  const migrations = useApi(() => api.migrations(), 'migrations', { refreshMs: 30_000 });
  const [sourceId, setSourceId] = useState('');
  const [targetId, setTargetId] = useState('');
  const [fromSnapshot, setFromSnapshot] = useState<number | 'live'>('live');
  const [mode, setMode] = useState<MigrationMode>('empty');
  const [rekey, setRekey] = useState(false);
  const [restart, setRestart] = useState(false);
  const [asked, setAsked] = useState(false);
  const [nonEmptyTargets, setNonEmptyTargets] = useState<ReadonlySet<string>>(new Set());
  const [stage, setStage] = useState<Stage>({ step: 'choose' });
  const [startError, setStartError] = useState<string | undefined>(undefined);
  const [finished, setFinished] = useState<Finished | undefined>(undefined);
  const progressHeading = useRef<HTMLHeadingElement>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);
  const planHeading = useRef<HTMLHeadingElement>(null);

  const list = accounts.data;
  const source = list?.find((account) => account.id === sourceId);
  const targets = (list ?? []).filter((account) => canBeTarget(account) && account.id !== sourceId);
  const target = targets.find((account) => account.id === targetId);

  // The account page's "Migrate…" link names the source; a report's "again" link both.
  const preselected = useRef(false);
  useEffect(() => {
    if (list === undefined || preselected.current) return;
    preselected.current = true;
    const chosenSource = findAccount(list, initialSource);
    const chosenTarget = findAccount(list, initialTarget);
    if (chosenSource !== undefined) setSourceId(chosenSource.id);
    if (chosenTarget !== undefined && canBeTarget(chosenTarget) && chosenTarget.id !== chosenSource?.id) setTargetId(chosenTarget.id);
  }, [list, initialSource, initialTarget]);

  const snapshots = useApi(() => (sourceId === '' ? Promise.resolve([]) : api.snapshots(sourceId, { status: 'complete', limit: SNAPSHOTS_OFFERED })), `snapshots:${sourceId}`);

  const request: MigrationRequest | undefined =
    source === undefined || target === undefined
      ? undefined
      : {
          source: source.id,
          target: target.id,
          ...(fromSnapshot !== 'live' && { fromSnapshot }),
          ...(mode === 'replace' && { replace: true }),
          ...(mode === 'merge' && { merge: true }),
          ...(rekey && { rekey: true }),
          ...(restart && { restart: true }),
        };
  const planKey = asked && request !== undefined ? JSON.stringify(request) : '';
  const plan = useApi<MigrationPlan | undefined>(() => (planKey === '' ? Promise.resolve(undefined) : api.migrationPlan(JSON.parse(planKey) as MigrationRequest)), `plan:${planKey}`);
  const current = plan.data;

  // Once a plan has shown the target holds data, the choice of Replace or Merge stays offered for it.
  useEffect(() => {
    if (current !== undefined && !current.target.empty && !nonEmptyTargets.has(current.target.accountId)) setNonEmptyTargets(new Set([...nonEmptyTargets, current.target.accountId]));
  }, [current, nonEmptyTargets]);

  useEffect(() => {
    if (stage.step === 'running') progressHeading.current?.focus();
  }, [stage]);
  useEffect(() => {
    if (finished?.result != null) resultHeading.current?.focus();
  }, [finished]);

  const reloadSnapshots = snapshots.reload;
  const reloadPlan = plan.reload;
  const afterBackup = useCallback(() => {
    reloadSnapshots();
    if (asked) reloadPlan();
  }, [reloadSnapshots, reloadPlan, asked]);

  function chooseSource(id: string) {
    setSourceId(id);
    setFromSnapshot('live');
    if (id === targetId) setTargetId('');
    setAsked(false);
    setRestart(false);
  }

  function chooseTarget(id: string) {
    setTargetId(id);
    setMode('empty');
    setAsked(false);
    setRestart(false);
  }

  function askForPlan(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (request === undefined) return;
    if (asked) plan.reload();
    setAsked(true);
    setTimeout(() => planHeading.current?.focus(), 0);
  }

  async function run() {
    if (request === undefined || source === undefined || target === undefined) return;
    setStartError(undefined);
    setStage({ step: 'starting' });
    try {
      const { jobId } = await api.startMigration(request);
      setStage({ step: 'running', jobId, request, names: { source: source.name, target: target.name } });
      migrations.reload();
    } catch (error) {
      setStage({ step: 'choose' });
      setStartError(error instanceof ApiError && (error.status === 409 || error.status === 422) ? `Not started: ${error.message}` : describeError(error));
    }
  }

  const reloadMigrations = migrations.reload;
  const onFinished = useCallback(
    (job: Job, migrationId: string | undefined) => {
      const result = job.state === 'completed' ? (job.result as MigrationResult | null) : null;
      setFinished({ job, result, view: undefined, migrationId: result?.migrationId ?? migrationId });
      reloadMigrations();
      // A failed verification keeps its report with the migration: show which records differ.
      if (job.state === 'failed' && migrationId !== undefined) {
        api.migration(migrationId).then(
          (view) => setFinished((before) => (before?.job.id === job.id ? { ...before, view, result: view.result } : before)),
          () => undefined,
        );
      }
    },
    [reloadMigrations],
  );

  function startAnother() {
    setFinished(undefined);
    setStage({ step: 'choose' });
    setMode('empty');
    setRestart(false);
    setAsked(false);
  }

  const choosing = stage.step !== 'running';
  const refused = current?.refusal != null;

  return (
    <div className="page migrate-page">
      <h1>Migrate</h1>
      <p className="lede">
        Copy everything of one account, live or from a snapshot, into a Sync 1.5 account: off Mozilla’s servers onto your own, or from a legacy Sync 1.1 server onto 1.5. A plan first, then the copy with checkpoints, then a check of every record on the target.
      </p>

      {choosing && (
        <section className="panel" aria-labelledby="choose-title">
          <h2 id="choose-title">1. Source and target</h2>
          {accounts.data === undefined && accounts.error === undefined && <Loading what="the accounts" />}
          {accounts.error !== undefined && <ErrorState title="Could not load the accounts." message={accounts.error} onRetry={accounts.reload} />}
          {list !== undefined && list.length === 0 && (
            <Empty title="No account yet.">
              <p>
                <Link href="/add-account">Add an account</Link> to migrate from, and the one to migrate to.
              </p>
            </Empty>
          )}
          {list !== undefined && list.length > 0 && (
            <form className="form migrate-form" onSubmit={askForPlan}>
              <fieldset className="form migrate-fields" disabled={stage.step === 'starting'}>
                <legend className="visually-hidden">Source, target and options</legend>
                <div className="field">
                  <label htmlFor="migrate-source">Source account</label>
                  <select id="migrate-source" value={sourceId} onChange={(event) => chooseSource(event.target.value)} aria-describedby="migrate-source-hint">
                    <option value="">Choose an account…</option>
                    {list.map((account) => (
                      <option key={account.id} value={account.id}>
                        {account.name} ({kindLabel(account.kind)})
                      </option>
                    ))}
                  </select>
                  <p className="hint" id="migrate-source-hint">
                    Any kind: a Mozilla account, a self-hosted Sync 1.5 or a legacy Sync 1.1 account.
                  </p>
                </div>

                {source !== undefined && (
                  <fieldset className="kinds">
                    <legend>What to copy</legend>
                    <div className="kind-option">
                      <input type="radio" id="source-live" name="source-state" checked={fromSnapshot === 'live'} onChange={() => setFromSnapshot('live')} aria-describedby="source-live-hint" />
                      <label htmlFor="source-live">
                        <strong>The account as it is now</strong>
                        <span className="hint" id="source-live-hint">
                          A fresh backup is taken first, and that is what is copied.
                        </span>
                      </label>
                    </div>
                    <div className="kind-option">
                      <input
                        type="radio"
                        id="source-snapshot"
                        name="source-state"
                        checked={fromSnapshot !== 'live'}
                        disabled={snapshots.data === undefined || snapshots.data.length === 0}
                        onChange={() => {
                          const newest = snapshots.data?.[0];
                          if (newest !== undefined) setFromSnapshot(newest.seq);
                        }}
                        aria-describedby="source-snapshot-hint"
                      />
                      <label htmlFor="source-snapshot">
                        <strong>One of its snapshots</strong>
                        <span className="hint" id="source-snapshot-hint">
                          {snapshots.data === undefined
                            ? snapshots.error !== undefined
                              ? `The snapshots could not be loaded: ${snapshots.error}`
                              : 'Loading its snapshots…'
                            : snapshots.data.length === 0
                              ? 'It has no complete snapshot yet.'
                              : 'The account as a complete snapshot had it, even if the server has changed or lost data since.'}
                        </span>
                      </label>
                    </div>
                    {snapshots.data !== undefined && snapshots.data.length === 0 && <BackUpFirst key={source.id} account={source} onDone={afterBackup} />}
                    {fromSnapshot !== 'live' && snapshots.data !== undefined && (
                      <div className="field">
                        <label htmlFor="migrate-snapshot">Snapshot</label>
                        <select id="migrate-snapshot" value={fromSnapshot} onChange={(event) => setFromSnapshot(Number(event.target.value))}>
                          {snapshots.data.map((snapshot) => (
                            <option key={snapshot.seq} value={snapshot.seq}>
                              #{snapshot.seq}, {formatDateTime(snapshot.finishedAt ?? snapshot.startedAt)}, {formatCount(snapshotRecords(snapshot))} records
                            </option>
                          ))}
                        </select>
                      </div>
                    )}
                  </fieldset>
                )}

                {source !== undefined && targets.length === 0 && (
                  <Empty title="No account to migrate to.">
                    <p>
                      Add the target account first: <Link href="/add-account">add the Sync 1.5 account</Link> (Mozilla’s, or your own server’s token server URL) that the data should go to, then come back here.
                    </p>
                  </Empty>
                )}
                {(source === undefined || targets.length > 0) && (
                  <div className="field">
                    <label htmlFor="migrate-target">Target account</label>
                    <select id="migrate-target" value={targetId} onChange={(event) => chooseTarget(event.target.value)} aria-describedby="migrate-target-hint">
                      <option value="">Choose an account…</option>
                      {targets.map((account) => (
                        <option key={account.id} value={account.id}>
                          {account.name} ({kindLabel(account.kind)})
                        </option>
                      ))}
                    </select>
                    <p className="hint" id="migrate-target-hint">
                      A Sync 1.5 account, Mozilla’s or on your own server, other than the source. Not listed? <Link href="/add-account">Add it first</Link>.
                    </p>
                  </div>
                )}

                {target !== undefined && nonEmptyTargets.has(target.id) && (
                  <fieldset className="kinds" data-mode-choice>
                    <legend>{target.name} already holds data</legend>
                    <p className="hint">The migration refuses to write into it unless you choose what happens to what is there.</p>
                    <div className="kind-option">
                      <input type="radio" id="mode-replace" name="mode" checked={mode === 'replace'} onChange={() => setMode('replace')} aria-describedby="mode-replace-hint" />
                      <label htmlFor="mode-replace">
                        <strong>Replace</strong>
                        <span className="hint" id="mode-replace-hint">
                          Wipe the target’s storage first: afterwards it holds exactly what the source has. Its own records are lost (back it up first if they matter).
                        </span>
                      </label>
                    </div>
                    <div className="kind-option">
                      <input type="radio" id="mode-merge" name="mode" checked={mode === 'merge'} onChange={() => setMode('merge')} aria-describedby="mode-merge-hint" />
                      <label htmlFor="mode-merge">
                        <strong>Merge</strong>
                        <span className="hint" id="mode-merge-hint">
                          Keep the target’s records and its keys; the source’s records are added, except where the target’s copy of a record is newer.
                        </span>
                      </label>
                    </div>
                  </fieldset>
                )}

                {target !== undefined && (
                  <div className="kind-option">
                    <input type="checkbox" id="migrate-rekey" checked={rekey} onChange={(event) => setRekey(event.target.checked)} aria-describedby="migrate-rekey-hint" />
                    <label htmlFor="migrate-rekey">
                      <strong>Re-key</strong>
                      <span className="hint" id="migrate-rekey-hint">
                        New encryption keys and new sync IDs: every record is re-encrypted, and every device resets and merges its own data with the server’s at its next sync. Use it when the old keys may have leaked; otherwise the keys move as they are and devices carry on.
                      </span>
                    </label>
                  </div>
                )}

                <div className="actions">
                  <button type="submit" className="button button-primary" disabled={request === undefined || (asked && plan.loading)}>
                    {asked && plan.loading ? 'Planning…' : asked ? 'Plan again' : 'Plan the migration'}
                  </button>
                </div>
              </fieldset>
            </form>
          )}
        </section>
      )}

      {choosing && asked && request !== undefined && (
        <section className="panel" aria-labelledby="plan-title" aria-busy={plan.loading}>
          <h2 id="plan-title" ref={planHeading} tabIndex={-1}>
            2. The plan
          </h2>
          <p className="hint">A dry run against both servers as they are now: nothing is written yet.</p>
          {plan.loading && current === undefined && <Loading what="the plan: reading the source and the target" />}
          {plan.error !== undefined && <ErrorState title="Could not plan this migration." message={plan.error} onRetry={plan.reload} />}
          {current !== undefined && plan.error === undefined && (
            <>
              {current.resumes !== null && (
                <div className="banner banner-info" data-resumes={current.resumes.migrationId}>
                  <p>
                    Running it resumes migration <Link href={migrationHref(current.resumes.migrationId)}>{current.resumes.migrationId}</Link> where it stopped ({formatCount(current.resumes.done)} of {formatCount(current.resumes.total)} records
                    uploaded).
                  </p>
                  <label className="checkbox-line">
                    <input type="checkbox" checked={restart} onChange={(event) => setRestart(event.target.checked)} /> Start over instead (that migration is abandoned)
                  </label>
                </div>
              )}
              {current.resumes === null && restart && (
                <p className="banner banner-info">
                  Starting over: the unfinished migration is abandoned.{' '}
                  <button type="button" className="button button-quiet button-small" onClick={() => setRestart(false)}>
                    Resume it instead
                  </button>
                </p>
              )}
              {current.refusal !== null && (
                <div className="banner banner-error" role="alert" data-refusal>
                  <p>
                    <strong>It cannot run as asked:</strong> {current.refusal}
                  </p>
                  {!current.target.empty && current.mode === 'empty' && <p>Choose Replace or Merge above.</p>}
                </div>
              )}
              <PlanView plan={current} live={request.fromSnapshot === undefined} />
              <div className="confirm-restore">
                <p className="hint">
                  Then: {request.fromSnapshot === undefined ? 'a fresh backup of the source, ' : ''}
                  {current.mode === 'replace' ? 'the target’s storage wiped, ' : ''}the upload in batches the target accepts (crypto/keys and meta/global first, so a device that connects meanwhile never wipes the server), with a checkpoint after each, and a check of every record on the target.
                </p>
                {startError !== undefined && (
                  <p className="banner banner-error" role="alert">
                    {startError}
                  </p>
                )}
                <div className="actions">
                  <button type="button" className="button button-primary" onClick={() => void run()} disabled={refused || stage.step === 'starting' || plan.loading} aria-describedby={refused ? undefined : 'run-hint'}>
                    {stage.step === 'starting' ? 'Starting…' : current.resumes !== null && !restart ? 'Resume the migration' : 'Run the migration'}
                  </button>
                  {!refused && (
                    <span className="hint" id="run-hint">
                      {formatCount(current.totals.records)} records into {current.target.name}
                    </span>
                  )}
                </div>
              </div>
            </>
          )}
        </section>
      )}

      {stage.step === 'running' && (
        <section className="panel" aria-labelledby="progress-title">
          <h2 id="progress-title" ref={progressHeading} tabIndex={-1}>
            {finished === undefined ? '3. Migrating…' : finished.job.state === 'completed' ? '3. Migration finished' : finished.job.cancelRequestedAt !== null ? '3. Migration stopped' : '3. Migration failed'}
          </h2>
          <p className="hint">
            From <strong>{stage.names.source}</strong> to <strong>{stage.names.target}</strong>. Leaving this page does not stop it; its report stays under Past migrations.
          </p>
          <MigrationRun jobId={stage.jobId} label={`Migration from ${stage.names.source} to ${stage.names.target}`} onFinished={onFinished} />
          {finished !== undefined && finished.result === null && (
            <div className="actions">
              {finished.migrationId !== undefined && <Link href={migrationHref(finished.migrationId)}>What it got done</Link>}
              <button type="button" className="button button-secondary" onClick={startAnother}>
                Plan it again
              </button>
            </div>
          )}
        </section>
      )}

      {stage.step === 'running' && finished?.result != null && (
        <MigrationReport
          result={finished.result}
          headingRef={resultHeading}
          actions={
            <p className="actions">
              <Link className="button button-secondary" href={migrationHref(finished.result.migrationId)}>
                Open this report
              </Link>
              <button type="button" className="button button-secondary" onClick={startAnother}>
                Start another migration
              </button>
            </p>
          }
        />
      )}

      <section className="panel" aria-labelledby="past-title">
        <div className="panel-head">
          <h2 id="past-title">Past migrations</h2>
          <button type="button" className="button button-quiet button-small" onClick={migrations.reload} disabled={migrations.loading}>
            Refresh
          </button>
        </div>
        {migrations.data === undefined && migrations.error === undefined && <Loading what="past migrations" />}
        {migrations.error !== undefined && <ErrorState title="Could not load the past migrations." message={migrations.error} onRetry={migrations.reload} />}
        {migrations.data !== undefined && migrations.data.length === 0 && (
          <Empty title="No migration yet.">
            <p>Each one run from here, the command line or the API is listed with its outcome and report.</p>
          </Empty>
        )}
        {migrations.data !== undefined && migrations.data.length > 0 && <MigrationList migrations={migrations.data} accounts={list} />}
      </section>
    </div>
  );
}
