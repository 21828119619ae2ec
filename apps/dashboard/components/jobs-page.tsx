'use client';

import Link from 'next/link';
import { api } from '../lib/api';
import { formatCount, formatDuration, isRunning, jobStateLabel, snapshotRecords } from '../lib/format';
import type { Account, Job, Snapshot } from '../lib/types';
import { useApi } from '../lib/use-api';
import { Badge, type Tone } from './badge';
import { JobProgress } from './job-progress';
import { RelativeTime } from './relative-time';
import { Empty, ErrorState, Loading } from './states';

function stateTone(job: Job): Tone {
  if (job.state === 'completed') return 'ok';
  if (job.state === 'failed') return 'failed';
  if (job.state === 'active') return 'running';
  return 'neutral';
}

function isSnapshotSummary(result: unknown): result is Pick<Snapshot, 'seq' | 'status' | 'collections' | 'versionsAdded'> {
  return typeof result === 'object' && result !== null && typeof (result as { seq?: unknown }).seq === 'number' && typeof (result as { collections?: unknown }).collections === 'object';
}

function Outcome({ job, accountName, onFinished }: { job: Job; accountName: string; onFinished: () => void }) {
  if (isRunning(job.state)) return <JobProgress jobId={job.id} initial={job} label={`${job.name} of ${accountName}`} onFinished={onFinished} />;
  if (job.state === 'failed') return <p className="job-error">{job.failedReason ?? 'failed'}</p>;
  if (job.state === 'completed' && isSnapshotSummary(job.result)) {
    return (
      <span>
        <Link href={`/accounts/${encodeURIComponent(accountName)}#snapshot-${job.result.seq}`}>Snapshot #{job.result.seq}</Link> · {formatCount(snapshotRecords(job.result))} records, {formatCount(job.result.versionsAdded)} new versions
      </span>
    );
  }
  if (job.state === 'completed' && job.queue === 'retention') return <span>Retention applied</span>;
  return <span className="muted">—</span>;
}

export function JobsTable({ jobs, accounts, onFinished }: { jobs: Job[]; accounts: Account[]; onFinished: () => void }) {
  const names = new Map(accounts.map((account) => [account.id, account.name]));
  return (
    <div className="table-wrap" role="region" aria-label="Recent jobs" tabIndex={0}>
      <table className="table table-stack">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Account</th>
            <th scope="col">State</th>
            <th scope="col">Outcome</th>
            <th scope="col">Created</th>
            <th scope="col">Took</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            const name = names.get(job.accountId) ?? job.accountId;
            return (
              <tr key={job.id} data-job-id={job.id} data-state={job.state}>
                <td data-label="Job">
                  <span className="job-name">{job.name}</span> <span className="muted">({job.trigger})</span>
                </td>
                <td data-label="Account">{names.has(job.accountId) ? <Link href={`/accounts/${encodeURIComponent(name)}`}>{name}</Link> : <span className="muted">{name}</span>}</td>
                <td data-label="State">
                  <Badge tone={stateTone(job)}>{jobStateLabel(job.state)}</Badge>
                </td>
                <td data-label="Outcome" className="outcome">
                  <Outcome job={job} accountName={name} onFinished={onFinished} />
                </td>
                <td data-label="Created">
                  <RelativeTime iso={job.createdAt} />
                </td>
                <td data-label="Took">{job.startedAt !== null ? formatDuration(job.startedAt, job.finishedAt) || '…' : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function JobsPage() {
  const jobs = useApi(() => api.jobs(100), 'jobs', { refreshMs: 3_000 });
  const accounts = useApi(api.accounts, 'accounts', { refreshMs: 60_000 });
  return (
    <div className="page">
      <h1>Jobs</h1>
      <p className="lede">Backups and retention runs of every account, newest first. Running jobs update live.</p>
      {jobs.data === undefined && jobs.error === undefined && <Loading what="jobs" />}
      {jobs.error !== undefined && <ErrorState title="Could not load the jobs." message={jobs.error} onRetry={jobs.reload} />}
      {jobs.data !== undefined && jobs.data.length === 0 && (
        <Empty title="No job yet.">
          <p>Jobs appear here when a backup starts: from an account’s page (“Back up now”) or on its schedule.</p>
        </Empty>
      )}
      {jobs.data !== undefined && jobs.data.length > 0 && <JobsTable jobs={jobs.data} accounts={accounts.data ?? []} onFinished={jobs.reload} />}
    </div>
  );
}
