'use client';

import Link from 'next/link';
import { useCallback, useRef } from 'react';
import { isRunning, kindLabel, scheduleLabel } from '../lib/format';
import { useJobFeed } from '../lib/job-events';
import { accountSummaries, type AccountSummary } from '../lib/summaries';
import type { Account, Job } from '../lib/types';
import { useApi } from '../lib/use-api';
import { HealthPanel } from './health-panel';
import { JobProgressView } from './job-progress';
import { LastBackup } from './last-backup';
import { AlertList } from './alert-list';
import { Empty, ErrorState, Loading } from './states';
import { NextRun } from './next-run';
import { StorageUsed } from './storage-used';

const RECENTLY_FINISHED_MS = 60_000;

function AccountCard({ summary, onChanged }: { summary: AccountSummary; onChanged: () => void }) {
  const { account } = summary;
  return (
    <li className="card account-card" data-account={account.name}>
      <div className="card-head">
        <h3>
          <Link href={`/accounts/${encodeURIComponent(account.name)}`}>{account.name}</Link>
        </h3>
        <span className="kind">{kindLabel(account.kind)}</span>
      </div>
      <p className="muted account-email">{account.email}</p>
      <dl className="facts">
        <div>
          <dt>Last backup</dt>
          <dd>
            <LastBackup summary={summary} />
          </dd>
        </div>
        <div>
          <dt>Schedule</dt>
          <dd>{scheduleLabel(account.schedule)}</dd>
        </div>
        <div data-next-run>
          <dt>Next run</dt>
          <dd>
            <NextRun iso={account.nextRunAt} schedule={account.schedule} />
          </dd>
        </div>
        <div data-storage>
          <dt>Storage used</dt>
          <dd>
            <StorageUsed storage={account.storage} />
          </dd>
        </div>
      </dl>
      <AlertList alerts={summary.alerts} compact account={account.id} onAcknowledged={onChanged} />
    </li>
  );
}

export function RunningJobs({ jobs, accounts }: { jobs: Job[]; accounts: Account[] | undefined }) {
  const names = new Map((accounts ?? []).map((account) => [account.id, account.name]));
  if (jobs.length === 0) return <Empty title="No job is running.">{<p>Start a backup from an account’s page, or wait for its schedule.</p>}</Empty>;
  return (
    <ul className="job-list">
      {jobs.map((job) => {
        const name = names.get(job.accountId) ?? job.accountId;
        return (
          <li key={job.id} className="card">
            <p className="job-title">
              <strong>{job.name === 'backup' ? 'Backup' : job.name === 'restore' ? 'Restore' : job.name}</strong> of <Link href={`/accounts/${encodeURIComponent(name)}`}>{name}</Link> <span className="muted">({job.trigger})</span>
            </p>
            <JobProgressView jobId={job.id} job={job} progress={job.progress} label={`${job.name} of ${name}`} />
          </li>
        );
      })}
    </ul>
  );
}

export function Overview() {
  const summaries = useApi(accountSummaries, 'summaries', { refreshMs: 30_000 });
  const reloadSummaries = summaries.reload;
  const onJobFinished = useCallback(() => reloadSummaries(), [reloadSummaries]);
  // One stream for every job: running ones move their bars, finished ones refresh the accounts.
  const jobs = useJobFeed(50, onJobFinished);
  // A job seen running stays listed for a while once done, so its bar is seen reaching the end.
  const seenRunning = useRef(new Set<string>());
  const running = (jobs.jobs ?? []).filter((job) => {
    if (isRunning(job.state)) {
      seenRunning.current.add(job.id);
      return true;
    }
    return seenRunning.current.has(job.id) && job.finishedAt !== null && Date.now() - Date.parse(job.finishedAt) < RECENTLY_FINISHED_MS;
  });

  return (
    <div className="page">
      <h1>Overview</h1>
      <div className="overview-grid">
        <section className="panel panel-wide" aria-labelledby="accounts-title">
          <h2 id="accounts-title">Accounts</h2>
          {summaries.data === undefined && summaries.error === undefined && <Loading what="accounts" />}
          {summaries.error !== undefined && <ErrorState title="Could not load the accounts." message={summaries.error} onRetry={summaries.reload} />}
          {summaries.data !== undefined && summaries.data.length === 0 && (
            <Empty title="No account yet.">
              <p>
                <Link href="/add-account">Add a Firefox Sync account</Link>; it appears here with its backups.
              </p>
            </Empty>
          )}
          {summaries.data !== undefined && summaries.data.length > 0 && (
            <ul className="card-list">
              {summaries.data.map((summary) => (
                <AccountCard key={summary.account.id} summary={summary} onChanged={summaries.reload} />
              ))}
            </ul>
          )}
        </section>
        <section className="panel" aria-labelledby="running-title">
          <h2 id="running-title">Running jobs</h2>
          {jobs.jobs === undefined && jobs.error === undefined && <Loading what="jobs" />}
          {jobs.error !== undefined && <ErrorState title="Could not load the jobs." message={jobs.error} onRetry={jobs.reload} />}
          {jobs.jobs !== undefined && <RunningJobs jobs={running} accounts={summaries.data?.map((summary) => summary.account)} />}
        </section>
        <HealthPanel />
      </div>
    </div>
  );
}
