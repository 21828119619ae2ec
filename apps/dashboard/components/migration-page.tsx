'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { api } from '../lib/api';
import { formatCount, formatDateTime } from '../lib/format';
import { migrateHref, MODE_WORDS, STATUS } from '../lib/migrate';
import { useApi } from '../lib/use-api';
import { Badge } from './badge';
import { MigrationReport } from './migration-report';
import { ProgressBar } from './progress-bar';
import { Empty, ErrorState, Loading } from './states';

/** While a migration runs its page reads it again this often. */
const REFRESH_WHILE_RUNNING_MS = 3_000;

/** One migration: its state and checkpoint, then its verification report and client settings. */
export function MigrationPage({ id }: { id: string }) {
  const accounts = useApi(() => api.accounts(), 'accounts');
  const [running, setRunning] = useState(false);
  const view = useApi(() => api.migration(id), `migration:${id}`, running ? { refreshMs: REFRESH_WHILE_RUNNING_MS } : {});
  const migration = view.data;
  useEffect(() => setRunning(migration?.status === 'running'), [migration?.status]);

  const head = (title: string) => (
    <>
      <p className="breadcrumbs">
        <Link href="/migrate">Migrate</Link> /
      </p>
      <h1>{title}</h1>
    </>
  );
  if (migration === undefined) {
    return (
      <div className="page">
        {head('Migration')}
        {view.error === undefined && <Loading what="the migration" />}
        {view.error !== undefined && <ErrorState title={/no migration|not found/i.test(view.error) ? 'No such migration.' : 'Could not load the migration.'} message={view.error} onRetry={view.reload} />}
      </div>
    );
  }

  const names = new Map((accounts.data ?? []).map((account) => [account.id, account.name]));
  const sourceName = names.get(migration.sourceAccountId) ?? migration.result?.plan.source.name ?? migration.sourceAccountId;
  const targetName = names.get(migration.targetAccountId) ?? migration.result?.plan.target.name ?? migration.targetAccountId;
  const status = STATUS[migration.status] ?? { label: migration.status, tone: 'neutral' as const };
  const again = migrateHref({ source: sourceName, target: targetName });

  return (
    <div className="page migration-page" data-migration-id={migration.id} data-status={migration.status}>
      {head(`Migration from ${sourceName} to ${targetName}`)}
      <dl className="facts facts-inline">
        <div>
          <dt>Status</dt>
          <dd>
            <Badge tone={status.tone}>{status.label}</Badge>
          </dd>
        </div>
        <div>
          <dt>From</dt>
          <dd>
            {sourceName}, snapshot #{migration.sourceSeq}
          </dd>
        </div>
        <div>
          <dt>To</dt>
          <dd>{targetName}</dd>
        </div>
        <div>
          <dt>Target data</dt>
          <dd>
            {MODE_WORDS[migration.mode] ?? migration.mode}
            {migration.rekey ? '; re-keyed' : ''}
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatDateTime(migration.startedAt)}</dd>
        </div>
        <div>
          <dt>{migration.finishedAt === null ? 'Last checkpoint' : 'Finished'}</dt>
          <dd>{formatDateTime(migration.finishedAt ?? migration.updatedAt)}</dd>
        </div>
        <div>
          <dt>Records</dt>
          <dd>
            {formatCount(migration.done)} of {formatCount(migration.total)} uploaded
          </dd>
        </div>
      </dl>

      {(migration.status === 'running' || migration.status === 'interrupted') && (
        <section className="panel" aria-labelledby="checkpoint-title">
          <h2 id="checkpoint-title">{migration.status === 'running' ? 'Running' : 'Interrupted'}</h2>
          <ProgressBar percent={migration.total > 0 ? (migration.done / migration.total) * 100 : 0} label="Records uploaded" />
          {migration.status === 'interrupted' && (
            <p>
              It stopped before the end; its checkpoint is kept. <Link href={again}>Plan the same migration again</Link> to resume it where it stopped.
            </p>
          )}
        </section>
      )}

      {migration.error !== null && (
        <div className="state state-error" role="alert">
          <p>
            <strong>{migration.status === 'failed' ? 'Failed.' : 'Error.'}</strong> <span className="job-error">{migration.error}</span>
          </p>
        </div>
      )}

      {migration.result !== null && <MigrationReport result={migration.result} />}

      {migration.result === null && migration.status !== 'running' && migration.status !== 'interrupted' && (
        <Empty title="No report.">
          <p>
            It stopped before its verification. <Link href={again}>Plan it again</Link>.
          </p>
        </Empty>
      )}
    </div>
  );
}
