'use client';

import Link from 'next/link';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api, describeError } from '../lib/api';
import { formatCount, formatDuration, isRunning, jobStateLabel, snapshotRecords } from '../lib/format';
import { useJobFeed, type JobFeed } from '../lib/job-events';
import { migrationHref, MIGRATION_QUEUE } from '../lib/migrate';
import type { Account, Job, MigrationResult, RestoreResult, Snapshot } from '../lib/types';
import { useApi } from '../lib/use-api';
import { Badge, type Tone } from './badge';
import { JobProgressView } from './job-progress';
import { RelativeTime } from './relative-time';
import { Empty, ErrorState, Loading } from './states';

type Filter = 'all' | 'running' | 'failed' | 'completed';

const FILTERS: Array<{ key: Filter; label: string; empty: string }> = [
  { key: 'all', label: 'All', empty: 'No job yet.' },
  { key: 'running', label: 'Running and queued', empty: 'No job is running or queued.' },
  { key: 'failed', label: 'Failed', empty: 'No job failed.' },
  { key: 'completed', label: 'Completed', empty: 'No job has completed yet.' },
];

function matches(job: Job, filter: Filter): boolean {
  if (filter === 'running') return isRunning(job.state);
  if (filter === 'failed') return job.state === 'failed';
  if (filter === 'completed') return job.state === 'completed';
  return true;
}

/** A backup stopped on request: it failed on purpose, and nothing of it was kept. */
function isCancelled(job: Job): boolean {
  return job.state === 'failed' && job.cancelRequestedAt !== null;
}

function isQueued(job: Job): boolean {
  return isRunning(job.state) && job.state !== 'active';
}

function stateTone(job: Job): Tone {
  if (job.state === 'completed') return 'ok';
  if (isCancelled(job)) return 'neutral';
  if (job.state === 'failed') return 'failed';
  if (job.state === 'active') return job.cancelRequestedAt !== null ? 'warning' : 'running';
  return 'neutral';
}

function stateLabel(job: Job): string {
  if (isCancelled(job)) return 'Cancelled';
  if (job.state === 'active' && job.cancelRequestedAt !== null) return 'Stopping';
  return jobStateLabel(job.state);
}

function jobTitle(job: Job): string {
  if (job.queue === MIGRATION_QUEUE) return 'Migration';
  return job.name === 'backup' ? 'Backup' : job.name === 'retention' ? 'Retention' : job.name === 'restore' ? 'Restore' : job.name;
}

function isSnapshotSummary(result: unknown): result is Pick<Snapshot, 'seq' | 'status' | 'collections' | 'versionsAdded'> {
  return typeof result === 'object' && result !== null && typeof (result as { seq?: unknown }).seq === 'number' && typeof (result as { collections?: unknown }).collections === 'object';
}

function isRestoreResult(result: unknown): result is RestoreResult {
  return typeof result === 'object' && result !== null && Array.isArray((result as { written?: unknown }).written) && typeof (result as { preRestoreSnapshot?: unknown }).preRestoreSnapshot === 'object';
}

function isMigrationResult(result: unknown): result is MigrationResult {
  return typeof result === 'object' && result !== null && typeof (result as { migrationId?: unknown }).migrationId === 'string' && typeof (result as { verification?: unknown }).verification === 'object';
}

function Outcome({ job, accountName }: { job: Job; accountName: string }) {
  if (isRunning(job.state)) return <JobProgressView jobId={job.id} job={job} progress={job.progress} label={`${jobTitle(job)} of ${accountName}`} />;
  if (job.state === 'failed') {
    return (
      <div className={`job-outcome-error${isCancelled(job) ? ' job-outcome-cancelled' : ''}`}>
        <p className="job-error-label">
          {!isCancelled(job) ? 'Error' : job.queue === MIGRATION_QUEUE ? 'Stopped before it finished; what it uploaded stays, and Retry resumes it.' : 'Cancelled before it finished; the snapshot it was writing was discarded.'}
        </p>
        <p className="job-error">{job.failedReason ?? 'The job failed without a reason.'}</p>
      </div>
    );
  }
  if (job.state === 'completed' && isSnapshotSummary(job.result)) {
    return (
      <span>
        <Link href={`/accounts/${encodeURIComponent(accountName)}#snapshot-${job.result.seq}`}>Snapshot #{job.result.seq}</Link> · {formatCount(snapshotRecords(job.result))} records, {formatCount(job.result.versionsAdded)} new versions
      </span>
    );
  }
  if (job.state === 'completed' && job.queue === 'retention') return <span>Retention applied</span>;
  if (job.state === 'completed' && job.queue === 'restore' && isRestoreResult(job.result)) {
    const result = job.result;
    return (
      <span>
        {formatCount(result.written.length)} {result.written.length === 1 ? 'record' : 'records'} restored from snapshot #{result.plan.from} ·{' '}
        {result.verification.ok ? 'checked on the server' : <strong className="error-text">check failed</strong>} · undo:{' '}
        <Link href={`/accounts/${encodeURIComponent(accountName)}/snapshots/${result.preRestoreSnapshot.seq}`}>snapshot #{result.preRestoreSnapshot.seq}</Link>
      </span>
    );
  }
  if (job.state === 'completed' && isMigrationResult(job.result)) {
    const result = job.result;
    const sent = result.verification.collections.reduce((sum, collection) => sum + collection.expected, 0);
    return (
      <span>
        {formatCount(sent)} records from {result.plan.source.name} to {result.plan.target.name} ·{' '}
        {result.verification.ok ? 'verified' : <strong className="error-text">verification failed</strong>} · <Link href={migrationHref(result.migrationId)}>report</Link>
      </span>
    );
  }
  return <span className="muted">—</span>;
}

/** Retry for a failed job; Cancel for a queued one, and for a running backup or migration after a confirmation. */
function JobActions({ job, accountName, feed, announce }: { job: Job; accountName: string; feed: Pick<JobFeed, 'put' | 'drop'>; announce: (message: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const stopButton = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const what = job.queue === MIGRATION_QUEUE ? `migration into ${accountName}` : `${job.name} of ${accountName}`;

  useEffect(() => {
    if (confirming) stopButton.current?.focus();
  }, [confirming]);

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (reason) {
      setError(describeError(reason));
    } finally {
      setBusy(false);
    }
  };
  const retry = () =>
    act(async () => {
      feed.put(await api.retryJob(job.id));
      announce(`The ${what} is queued again.`);
    });
  const cancel = () =>
    act(async () => {
      const { outcome } = await api.cancelJob(job.id);
      setConfirming(false);
      if (outcome === 'removed') {
        feed.drop(job.id);
        announce(`The queued ${what} was cancelled.`);
      } else {
        feed.put({ ...job, cancelRequestedAt: new Date().toISOString() });
        announce(`The ${what} is stopping.`);
      }
    });
  const keepRunning = () => {
    setConfirming(false);
    // The Cancel button comes back on the next render.
    setTimeout(() => cancelButton.current?.focus(), 0);
  };
  const onConfirmKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') keepRunning();
  };

  let controls;
  if (job.state === 'failed' && job.queue === 'restore') {
    // The server has changed since: a restore is planned and confirmed again, not retried.
    controls = <span className="muted job-action-note">Plan it again from a snapshot to retry</span>;
  } else if (job.state === 'failed') {
    controls = (
      <button type="button" className="button button-secondary button-small" onClick={retry} disabled={busy} aria-label={`Retry ${what}`}>
        {busy ? 'Retrying…' : 'Retry'}
      </button>
    );
  } else if (isQueued(job) && job.schedulerId !== null) {
    controls = (
      <span className="muted job-action-note">
        Scheduled run: <Link href={`/accounts/${encodeURIComponent(accountName)}`}>change the schedule</Link> to skip it
      </span>
    );
  } else if (isQueued(job)) {
    controls = (
      <button type="button" className="button button-quiet button-small" onClick={cancel} disabled={busy} aria-label={`Cancel ${what}`}>
        {busy ? 'Cancelling…' : 'Cancel'}
      </button>
    );
  } else if (job.state === 'active' && job.cancelRequestedAt !== null) {
    controls = <span className="muted job-action-note">Stopping…</span>;
  } else if (job.state === 'active' && (job.queue === 'backup' || job.queue === MIGRATION_QUEUE)) {
    const migration = job.queue === MIGRATION_QUEUE;
    controls = confirming ? (
      <div className="confirm" role="group" aria-label={`Stop the ${what}?`} onKeyDown={onConfirmKey}>
        <p>{migration ? 'Stop this migration after the batch it is uploading? What is uploaded stays; Retry resumes it from there.' : 'Stop this backup? The snapshot it is writing is discarded; earlier snapshots are kept.'}</p>
        <div className="confirm-actions">
          <button ref={stopButton} type="button" className="button button-danger button-small" onClick={cancel} disabled={busy}>
            {busy ? 'Stopping…' : migration ? 'Stop migration' : 'Stop backup'}
          </button>
          <button type="button" className="button button-quiet button-small" onClick={keepRunning} disabled={busy}>
            Keep running
          </button>
        </div>
      </div>
    ) : (
      <button ref={cancelButton} type="button" className="button button-quiet button-small" onClick={() => setConfirming(true)} aria-label={`Cancel ${what}`}>
        Cancel
      </button>
    );
  } else {
    controls = <span className="muted">—</span>;
  }
  return (
    <div className="job-actions">
      {controls}
      {error !== undefined && (
        <p className="error-text job-action-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function JobsTable({ jobs, accounts, feed, announce }: { jobs: Job[]; accounts: Account[]; feed: Pick<JobFeed, 'put' | 'drop'>; announce: (message: string) => void }) {
  const names = new Map(accounts.map((account) => [account.id, account.name]));
  return (
    <div className="table-wrap" role="region" aria-label="Recent jobs" tabIndex={0}>
      <table className="table table-stack jobs-table">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Account</th>
            <th scope="col">State</th>
            <th scope="col">Outcome</th>
            <th scope="col">Created</th>
            <th scope="col">Took</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            const name = names.get(job.accountId) ?? job.accountId;
            return (
              <tr key={job.id} data-job-id={job.id} data-state={job.state} className={job.state === 'failed' && !isCancelled(job) ? 'job-row-failed' : undefined}>
                <td data-label="Job">
                  <span className="job-name">{job.name}</span> <span className="muted">({job.trigger})</span>
                </td>
                <td data-label="Account">{names.has(job.accountId) ? <Link href={`/accounts/${encodeURIComponent(name)}`}>{name}</Link> : <span className="muted">{name}</span>}</td>
                <td data-label="State">
                  <Badge tone={stateTone(job)}>{stateLabel(job)}</Badge>
                </td>
                <td data-label="Outcome" className="outcome">
                  <Outcome job={job} accountName={name} />
                </td>
                <td data-label="Created">
                  <RelativeTime iso={job.createdAt} />
                </td>
                <td data-label="Took">{job.startedAt !== null ? formatDuration(job.startedAt, job.finishedAt) || '…' : '—'}</td>
                <td data-label="Actions">
                  <JobActions job={job} accountName={name} feed={feed} announce={announce} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function JobsPage() {
  const feed = useJobFeed(100);
  const accounts = useApi(api.accounts, 'accounts', { refreshMs: 60_000 });
  const [filter, setFilter] = useState<Filter>('all');
  const [message, setMessage] = useState('');
  const jobs = feed.jobs;
  const shown = (jobs ?? []).filter((job) => matches(job, filter));
  const current = FILTERS.find((entry) => entry.key === filter) ?? FILTERS[0]!;

  return (
    <div className="page">
      <div className="page-head">
        <h1>Jobs</h1>
        {jobs !== undefined && (
          <p className={`live-status${feed.live ? ' live-status-on' : ''}`}>
            <span className="live-dot" aria-hidden="true" /> {feed.live ? 'Live' : 'Reconnecting…'}
          </p>
        )}
      </div>
      <p className="lede">Backups, restores, migrations and retention runs of every account, newest first, as they happen. A failed job can be retried (a migration resumes); a queued job, or a running backup or migration, can be cancelled.</p>
      <div role="status" aria-live="polite">
        {message !== '' && <p className="banner banner-info">{message}</p>}
      </div>
      {jobs === undefined && feed.error === undefined && <Loading what="jobs" />}
      {feed.error !== undefined && <ErrorState title="Could not load the jobs." message={feed.error} onRetry={feed.reload} />}
      {jobs !== undefined && jobs.length === 0 && (
        <Empty title="No job yet.">
          <p>Jobs appear here when a backup starts: from an account’s page (“Back up now”) or on its schedule.</p>
        </Empty>
      )}
      {jobs !== undefined && jobs.length > 0 && (
        <>
          <div className="tabs job-filter" role="group" aria-label="Show jobs">
            <ul>
              {FILTERS.map(({ key, label }) => (
                <li key={key}>
                  <button type="button" className="tab" aria-pressed={filter === key} onClick={() => setFilter(key)}>
                    {label} <span className="muted">{formatCount(jobs.filter((job) => matches(job, key)).length)}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
          {shown.length === 0 ? <Empty title={current.empty} /> : <JobsTable jobs={shown} accounts={accounts.data ?? []} feed={feed} announce={setMessage} />}
        </>
      )}
    </div>
  );
}
