'use client';

import Link from 'next/link';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, describeError } from '../lib/api';
import { formatCount, formatDuration, isRunning, kindLabel, scheduleLabel, snapshotRecords } from '../lib/format';
import type { Account, Job, Snapshot } from '../lib/types';
import { useApi } from '../lib/use-api';
import { historyHref } from '../lib/history';
import { migrateHref } from '../lib/migrate';
import { AlertList } from './alert-list';
import { Badge } from './badge';
import { ComparePicker, VanishedSearch } from './history-forms';
import { JobProgress } from './job-progress';
import { RelativeTime } from './relative-time';
import { Empty, ErrorState, Loading, Outcome } from './states';
import { NextRun } from './next-run';
import { RetentionEditor, retentionLabel } from './retention-editor';
import { SnapshotChart } from './snapshot-chart';
import { StorageUsed } from './storage-used';

/** Snapshots the account page lists (and charts). */
const SNAPSHOTS_SHOWN = 50;

function serverOf(account: Account): string {
  if (account.kind === 'legacy11') return account.serverUrl ?? '—';
  return account.tokenServerUrl ?? account.fxaUrl ?? 'Mozilla';
}

function SnapshotStatusBadge({ snapshot }: { snapshot: Snapshot }) {
  if (snapshot.status === 'complete') return <Badge tone="ok">Complete</Badge>;
  if (snapshot.status === 'failed') return <Badge tone="failed">Failed</Badge>;
  return <Badge tone="running">Running</Badge>;
}

function CollectionCounts({ snapshot }: { snapshot: Snapshot }) {
  const entries = Object.entries(snapshot.collections).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return null;
  return (
    <details className="collections">
      <summary>{entries.length} collections</summary>
      <ul>
        {entries.map(([name, collection]) => (
          <li key={name}>
            {name}: {formatCount(collection.count)}
          </li>
        ))}
      </ul>
    </details>
  );
}

function SnapshotTable({ accountName, snapshots }: { accountName: string; snapshots: Snapshot[] }) {
  const complete = snapshots.filter((snapshot) => snapshot.status === 'complete');
  /** The complete snapshot before each complete one (the list is newest first). */
  const previous = new Map(complete.map((snapshot, index) => [snapshot.seq, complete[index + 1]?.seq]));
  return (
    <div className="table-wrap" role="region" aria-label="Snapshots" tabIndex={0}>
      <table className="table table-stack">
        <thead>
          <tr>
            <th scope="col">Snapshot</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col">Took</th>
            <th scope="col">Records</th>
            <th scope="col">New versions</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {snapshots.map((snapshot) => (
            <tr key={snapshot.seq} id={`snapshot-${snapshot.seq}`} data-seq={snapshot.seq} data-status={snapshot.status}>
              <td data-label="Snapshot">
                {snapshot.status === 'complete' ? <Link href={`/accounts/${encodeURIComponent(accountName)}/snapshots/${snapshot.seq}`}>#{snapshot.seq}</Link> : `#${snapshot.seq}`} <span className="muted">({snapshot.trigger}{snapshot.tags.length > 0 ? `, ${snapshot.tags.join(', ')}` : ''})</span>
                {previous.get(snapshot.seq) !== undefined && (
                  <>
                    {' '}
                    <Link className="snapshot-changes" href={historyHref(accountName, { from: previous.get(snapshot.seq)!, to: snapshot.seq })} aria-label={`What changed from snapshot #${previous.get(snapshot.seq)} to #${snapshot.seq}`}>
                      changes
                    </Link>
                  </>
                )}
              </td>
              <td data-label="Status">
                <SnapshotStatusBadge snapshot={snapshot} />
              </td>
              <td data-label="Started">
                <RelativeTime iso={snapshot.startedAt} />
              </td>
              <td data-label="Took">{formatDuration(snapshot.startedAt, snapshot.finishedAt) || '…'}</td>
              <td data-label="Records" className="number">
                {snapshot.status === 'complete' ? formatCount(snapshotRecords(snapshot)) : '—'}
              </td>
              <td data-label="New versions" className="number">
                {snapshot.status === 'complete' ? formatCount(snapshot.versionsAdded) : '—'}
              </td>
              <td data-label="Details">{snapshot.error !== null ? <span className="error-text">{snapshot.error}</span> : <CollectionCounts snapshot={snapshot} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The backup schedule: an interval, a cron pattern (UTC), or none (on demand only). */
function ScheduleEditor({ account, onSaved }: { account: Account; onSaved: (account: Account) => void }) {
  const [value, setValue] = useState(account.schedule ?? '');
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>(undefined);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaving(true);
    setMessage(undefined);
    try {
      const saved = await api.updateAccount(account.id, { schedule: value.trim() === '' ? null : value.trim() });
      setValue(saved.schedule ?? '');
      setMessage({ ok: true, text: `Saved: ${scheduleLabel(saved.schedule)}.` });
      onSaved(saved);
    } catch (error) {
      setMessage({ ok: false, text: describeError(error) });
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Schedule</h2>
      <form className="form schedule-form" onSubmit={save}>
        <div className="field">
          <label htmlFor="schedule">Back up automatically</label>
          <div className="inline-field">
            <input id="schedule" name="schedule" value={value} onChange={(event) => setValue(event.target.value)} placeholder="every 6h" aria-describedby="schedule-hint" spellCheck={false} />
            <button type="submit" className="button button-primary" disabled={saving}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
          <p className="hint" id="schedule-hint">
            <code>every 6h</code> (s, m, h or d, at least a minute), a cron pattern in UTC such as <code>0 3 * * *</code> or <code>@daily</code>, or empty for on demand only.
          </p>
        </div>
        <Outcome outcome={message} />
      </form>
    </section>
  );
}

/** Back up now, with the job's live progress; attaches to a backup of this account that already runs. */
function BackupNow({ account, onFinished }: { account: Account; onFinished: () => void }) {
  const [job, setJob] = useState<{ id: string; initial?: Job } | undefined>(undefined);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [outcome, setOutcome] = useState<string | undefined>(undefined);
  const [justAdded, setJustAdded] = useState(false);
  const [justReconnected, setJustReconnected] = useState(false);

  useEffect(() => {
    const query = new URLSearchParams(window.location.search);
    setJustAdded(query.has('added'));
    setJustReconnected(query.has('reconnected'));
  }, []);

  useEffect(() => {
    api.jobs(50).then(
      (jobs) => {
        const running = jobs.find((candidate) => candidate.accountId === account.id && candidate.queue === 'backup' && isRunning(candidate.state));
        if (running !== undefined) setJob((current) => current ?? { id: running.id, initial: running });
      },
      () => undefined,
    );
  }, [account.id]);

  async function start() {
    setStarting(true);
    setError(undefined);
    setOutcome(undefined);
    try {
      const enqueued = await api.backupNow(account.id);
      setJob({ id: enqueued.jobId });
    } catch (failure) {
      setError(failure instanceof ApiError && failure.status === 409 ? `Not started: ${failure.message}` : describeError(failure));
    } finally {
      setStarting(false);
    }
  }

  const finished = useCallback(
    (done: Job) => {
      const result = done.result as { seq?: number; collections?: Snapshot['collections'] } | null;
      if (done.state === 'completed' && typeof result?.seq === 'number') {
        setOutcome(`Backup complete: snapshot #${result.seq} with ${formatCount(snapshotRecords({ collections: result.collections ?? {} }))} records.`);
      } else if (done.state === 'failed') {
        setOutcome(undefined);
      }
      onFinished();
    },
    [onFinished],
  );

  return (
    <section className="panel" aria-labelledby="backup-title">
      <div className="panel-head">
        <h2 id="backup-title">Backup</h2>
        <div className="actions">
          <Link href={`/accounts/${encodeURIComponent(account.name)}/reconnect`} className="button button-secondary" title="Sign in again, e.g. after the account’s password changed">
            Reconnect
          </Link>
          <Link href={migrateHref({ source: account.name })} className="button button-secondary" title="Copy everything of this account into a Sync 1.5 account">
            Migrate…
          </Link>
          <button type="button" className="button button-primary" onClick={start} disabled={starting}>
            {starting ? 'Starting…' : 'Back up now'}
          </button>
        </div>
      </div>
      {error !== undefined && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      {job !== undefined && <JobProgress key={job.id} jobId={job.id} {...(job.initial !== undefined && { initial: job.initial })} label={`Backup of ${account.name}`} onFinished={finished} />}
      {outcome !== undefined && (
        <p className="banner banner-ok" role="status">
          {outcome}
        </p>
      )}
      {job === undefined && error === undefined && justAdded && (
        <p className="banner banner-ok" role="status">
          Account added: its data decrypts. “Back up now” takes its first snapshot.
        </p>
      )}
      {job === undefined && error === undefined && justReconnected && (
        <p className="banner banner-ok" role="status">
          Account reconnected: it is signed in again, with its snapshots and settings as they were.
        </p>
      )}
      {job === undefined && error === undefined && !justAdded && !justReconnected && <p className="muted">Takes a snapshot of every collection now, whatever the schedule.</p>}
    </section>
  );
}

export function AccountPage({ name }: { name: string }) {
  const account = useApi(() => api.account(name), `account:${name}`);
  const snapshots = useApi(() => api.snapshots(name, { limit: SNAPSHOTS_SHOWN }), `snapshots:${name}`, { refreshMs: 30_000 });
  const alerts = useApi(() => api.alerts(name, { limit: 20 }), `alerts:${name}`, { refreshMs: 60_000 });
  const reloadSnapshots = snapshots.reload;
  const reloadAlerts = alerts.reload;
  const reloadAccount = account.reload;
  const onBackupFinished = useCallback(() => {
    reloadSnapshots();
    reloadAlerts();
    reloadAccount();
  }, [reloadSnapshots, reloadAlerts, reloadAccount]);

  if (account.data === undefined) {
    return (
      <div className="page">
        <p className="breadcrumbs">
          <Link href="/accounts">Accounts</Link> /
        </p>
        <h1>{name}</h1>
        {account.error === undefined && <Loading what="the account" />}
        {account.error !== undefined && (
          <ErrorState title={/no such account|not found/i.test(account.error) ? 'No such account.' : 'Could not load the account.'} message={account.error} onRetry={account.reload} />
        )}
      </div>
    );
  }

  const current = account.data;
  return (
    <div className="page">
      <p className="breadcrumbs">
        <Link href="/accounts">Accounts</Link> /
      </p>
      <h1>{current.name}</h1>
      <dl className="facts facts-inline">
        <div>
          <dt>Kind</dt>
          <dd>{kindLabel(current.kind)}</dd>
        </div>
        <div>
          <dt>Email or user</dt>
          <dd>{current.email}</dd>
        </div>
        <div>
          <dt>Server</dt>
          <dd className="break">{serverOf(current)}</dd>
        </div>
        <div>
          <dt>Schedule</dt>
          <dd>{scheduleLabel(current.schedule)}</dd>
        </div>
        <div data-next-run>
          <dt>Next run</dt>
          <dd>
            <NextRun iso={current.nextRunAt} schedule={current.schedule} />
          </dd>
        </div>
        <div>
          <dt>Retention</dt>
          <dd>{retentionLabel(current.retention)}</dd>
        </div>
        <div data-storage>
          <dt>Storage used</dt>
          <dd>
            <StorageUsed storage={current.storage} detailed />
          </dd>
        </div>
      </dl>

      <BackupNow account={current} onFinished={onBackupFinished} />

      <ScheduleEditor key={current.id} account={current} onSaved={account.reload} />

      <RetentionEditor key={`retention-${current.id}`} account={current} snapshotsVersion={(snapshots.data ?? []).map((snapshot) => `${snapshot.seq}:${snapshot.status}`).join(',')} onSaved={account.reload} />

      <section className="panel" aria-labelledby="chart-title">
        <h2 id="chart-title">Records over time</h2>
        {snapshots.data === undefined && snapshots.error === undefined && <Loading what="snapshots" />}
        {snapshots.error !== undefined && <ErrorState title="Could not load the snapshots." message={snapshots.error} onRetry={snapshots.reload} />}
        {snapshots.data !== undefined && <SnapshotChart snapshots={snapshots.data} limited={snapshots.data.length >= SNAPSHOTS_SHOWN} />}
      </section>

      <section className="panel" aria-labelledby="history-title">
        <div className="panel-head">
          <h2 id="history-title">History</h2>
          <Link href={historyHref(current.name, {})}>Open the history page</Link>
        </div>
        <p className="hint">Pick two points of the timeline to see what changed, and restore what was lost from there.</p>
        {snapshots.data === undefined && snapshots.error === undefined && <Loading what="snapshots" />}
        {snapshots.data !== undefined && <ComparePicker account={current.name} snapshots={snapshots.data.filter((snapshot) => snapshot.status === 'complete')} query={{}} />}
        <h3 className="subhead">When did it vanish?</h3>
        <VanishedSearch account={current.name} query={{}} />
      </section>

      <section className="panel" aria-labelledby="snapshots-title">
        <h2 id="snapshots-title">Snapshots</h2>
        {snapshots.data === undefined && snapshots.error === undefined && <Loading what="snapshots" />}
        {snapshots.error !== undefined && <ErrorState title="Could not load the snapshots." message={snapshots.error} onRetry={snapshots.reload} />}
        {snapshots.data !== undefined && snapshots.data.length === 0 && (
          <Empty title="No snapshot yet.">
            <p>“Back up now” takes the first one.</p>
          </Empty>
        )}
        {snapshots.data !== undefined && snapshots.data.length > 0 && <SnapshotTable accountName={current.name} snapshots={snapshots.data} />}
      </section>

      <section className="panel" aria-labelledby="alerts-title">
        <h2 id="alerts-title">Health alerts</h2>
        {alerts.data === undefined && alerts.error === undefined && <Loading what="alerts" />}
        {alerts.error !== undefined && <ErrorState title="Could not load the alerts." message={alerts.error} onRetry={alerts.reload} />}
        {alerts.data !== undefined && <AlertList alerts={alerts.data} account={name} onAcknowledged={alerts.reload} />}
      </section>
    </div>
  );
}
