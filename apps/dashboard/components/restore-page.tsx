'use client';

import Link from 'next/link';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { api, ApiError, describeError } from '../lib/api';
import { formatCount } from '../lib/format';
import { useJobEvents } from '../lib/job-events';
import { describeTarget, problemWords, REASON_WORDS, restoresBookmarks } from '../lib/restore';
import type { BookmarkProblemCounts, Job, PlannedRecord, RestorePlan, RestoreRequest, RestoreResult } from '../lib/types';
import { useApi } from '../lib/use-api';
import { Badge } from './badge';
import { JobProgressView } from './job-progress';
import { Empty, ErrorState, Loading } from './states';

/** Records listed per collection before "Show all". */
const RECORDS_SHOWN = 50;

/** Bookmark roots have no title of their own; the plan labels them by type. */
const ROOT_NAMES: Record<string, string> = { menu: 'Bookmarks Menu', toolbar: 'Bookmarks Toolbar', unfiled: 'Other Bookmarks', mobile: 'Mobile Bookmarks' };

function recordLabel(collection: string, record: PlannedRecord): string {
  return collection === 'bookmarks' ? (ROOT_NAMES[record.id] ?? record.label) : record.label;
}

function PlannedRecords({ collection, records }: { collection: string; records: PlannedRecord[] }) {
  const [all, setAll] = useState(false);
  const shown = all ? records : records.slice(0, RECORDS_SHOWN);
  return (
    <>
      <div className="table-wrap" role="region" aria-label={`${collection}: records to change`} tabIndex={0}>
        <table className="table table-stack plan-table">
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">Record</th>
              <th scope="col">Why</th>
              <th scope="col">Id</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((record) => (
              <tr key={`${record.action}:${record.id}`} data-planned-id={record.id} data-action={record.action}>
                <td data-label="Change">{record.action === 'write' ? <Badge tone="ok">Write</Badge> : <Badge tone="failed">Delete</Badge>}</td>
                <td data-label="Record" className="break">
                  {recordLabel(collection, record)}
                </td>
                <td data-label="Why">{REASON_WORDS[record.reason] ?? record.reason}</td>
                <td data-label="Id" className="break">
                  <code>{record.id}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {records.length > shown.length && (
        <button type="button" className="button button-secondary button-small" onClick={() => setAll(true)}>
          Show all {formatCount(records.length)} {collection} changes
        </button>
      )}
    </>
  );
}

/** The validator's counts side by side; only the categories with a problem on either side. */
function ValidatorTable({ before, after, afterLabel, caption, valid }: { before: BookmarkProblemCounts; after: BookmarkProblemCounts; afterLabel: string; caption: string; valid: string }) {
  const categories = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((category) => (before[category] ?? 0) > 0 || (after[category] ?? 0) > 0);
  const total = (counts: BookmarkProblemCounts) => Object.values(counts).reduce((sum, count) => sum + count, 0);
  if (categories.length === 0) {
    return (
      <p className="validator-summary" data-validator="valid">
        <Badge tone="ok">Valid</Badge> {valid}
      </p>
    );
  }
  return (
    <div className="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table className="table validator-table" data-validator="problems">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Problem</th>
            <th scope="col" className="number">
              Now
            </th>
            <th scope="col" className="number">
              {afterLabel}
            </th>
          </tr>
        </thead>
        <tbody>
          {categories.map((category) => (
            <tr key={category}>
              <th scope="row">{problemWords(category)}</th>
              <td className="number">{formatCount(before[category] ?? 0)}</td>
              <td className={`number${(after[category] ?? 0) > (before[category] ?? 0) ? ' error-text' : ''}`}>{formatCount(after[category] ?? 0)}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">All</th>
            <td className="number">{formatCount(total(before))}</td>
            <td className="number">{formatCount(total(after))}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

/** The daemon's note for an empty plan: the page says it in its own words. */
const NOTHING_TO_WRITE = /^the server already holds what the snapshot has/;

function PlanView({ plan }: { plan: RestorePlan }) {
  const writes = plan.collections.reduce((sum, collection) => sum + collection.records.filter((record) => record.action === 'write').length, 0);
  const deletes = plan.totalChanges - writes;
  const notes = plan.notes.filter((note) => !NOTHING_TO_WRITE.test(note));
  return (
    <div className="plan" data-total-changes={plan.totalChanges}>
      {plan.totalChanges > 0 && (
        <p className="plan-summary">
          <strong>
            {formatCount(plan.totalChanges)} {plan.totalChanges === 1 ? 'change' : 'changes'}
          </strong>{' '}
          on the live server: {formatCount(writes)} {writes === 1 ? 'record' : 'records'} written, {formatCount(deletes)} deleted.
        </p>
      )}
      {plan.totalChanges > 0 &&
        plan.collections.map((collection) => (
          <section key={collection.collection} className="plan-collection" aria-labelledby={`plan-${collection.collection}`}>
            <h3 id={`plan-${collection.collection}`}>{collection.collection}</h3>
            {collection.records.length === 0 ? <p className="muted">Nothing to change: the server holds what the snapshot has.</p> : <PlannedRecords collection={collection.collection} records={collection.records} />}
          </section>
        ))}
      {plan.bookmarkValidation !== null && (
        <section className="plan-collection" aria-labelledby="plan-validator">
          <h3 id="plan-validator">Bookmark tree check</h3>
          <ValidatorTable before={plan.bookmarkValidation.before} after={plan.bookmarkValidation.predicted} afterLabel="After the restore"
            caption="The live bookmark tree now and as the restore would leave it"
            valid="The live bookmark tree has no orphans, missing children, parent/child disagreements, duplicates or cycles, and will have none after the restore."
          />
        </section>
      )}
      {plan.clientCommand !== null && (
        <p className="banner banner-info" data-client-command>
          Then every other device gets the bookmarks wipe command (<code>wipeEngine bookmarks</code>), as Firefox sends after its own restore, so that it takes the restored tree instead of bringing deleted bookmarks back:{' '}
          {plan.clientCommand.clients.length === 0 ? 'no device is connected.' : `${plan.clientCommand.clients.map((client) => client.name).join(', ')}.`}
        </p>
      )}
      {plan.keysChanged && <p className="banner banner-info">The account’s keys changed since this snapshot: the records are encrypted with the current keys.</p>}
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

function ResultView({ account, result, headingRef }: { account: string; result: RestoreResult; headingRef: RefObject<HTMLHeadingElement | null> }) {
  const byCollection = new Map<string, number>();
  for (const write of result.written) byCollection.set(write.collection, (byCollection.get(write.collection) ?? 0) + 1);
  return (
    <section className="panel restore-result" aria-labelledby="result-title" data-verification={result.verification.ok ? 'ok' : 'mismatch'}>
      <h2 id="result-title" ref={headingRef} tabIndex={-1}>
        {result.verification.ok ? 'Restored' : 'Restored, but the check found differences'}
      </h2>
      <dl className="facts">
        <div>
          <dt>Written</dt>
          <dd data-written={result.written.length}>
            {formatCount(result.written.length)} {result.written.length === 1 ? 'record' : 'records'}
            {byCollection.size > 0 && ` (${[...byCollection].map(([collection, count]) => `${collection} ${formatCount(count)}`).join(', ')})`}
          </dd>
        </div>
        <div>
          <dt>Check</dt>
          <dd>{result.verification.ok ? <Badge tone="ok">The server holds what was written</Badge> : <Badge tone="failed">{formatCount(result.verification.mismatches.length)} differences</Badge>}</dd>
        </div>
        <div>
          <dt>Undo</dt>
          <dd>
            The account as it was just before:{' '}
            <Link href={`/accounts/${encodeURIComponent(account)}/snapshots/${result.preRestoreSnapshot.seq}`}>pre-restore snapshot #{result.preRestoreSnapshot.seq}</Link>
          </dd>
        </div>
        {result.clientsNotified.length > 0 && (
          <div>
            <dt>Devices told</dt>
            <dd>{result.clientsNotified.join(', ')}</dd>
          </div>
        )}
        {result.replans > 0 && (
          <div>
            <dt>Re-planned</dt>
            <dd>
              Another device wrote meanwhile: planned again {result.replans} {result.replans === 1 ? 'time' : 'times'} against the new state.
            </dd>
          </div>
        )}
      </dl>
      {!result.verification.ok && (
        <ul className="error-text" aria-label="Differences">
          {result.verification.mismatches.map((mismatch) => (
            <li key={`${mismatch.collection}:${mismatch.id}`}>
              {mismatch.collection} <code>{mismatch.id}</code>: {mismatch.problem}
            </li>
          ))}
        </ul>
      )}
      {result.bookmarkValidation !== null && (
        <>
          <h3>Bookmark tree check</h3>
          <ValidatorTable
            before={result.bookmarkValidation.before}
            after={result.bookmarkValidation.after}
            afterLabel="After"
            caption="The live bookmark tree before and after the restore"
            valid="The live bookmark tree had no orphans, missing children, parent/child disagreements, duplicates or cycles before the restore, and has none after it."
          />
        </>
      )}
      <p className="actions">
        <Link className="button button-secondary" href={`/accounts/${encodeURIComponent(account)}`}>
          Back to {account}
        </Link>
      </p>
    </section>
  );
}

type Stage = { step: 'plan' } | { step: 'starting' } | { step: 'running'; jobId: string };

function RestoreJob({ account, jobId, onFinished }: { account: string; jobId: string; onFinished: (job: Job) => void }) {
  const live = useJobEvents(jobId, undefined, onFinished);
  return <JobProgressView jobId={jobId} job={live.job} progress={live.progress} label={`Restore into ${account}`} />;
}

/**
 * A restore, step by step: the plan (against the live server now) with what it writes and why,
 * and only on confirmation the job, its live progress and its result.
 */
export function RestorePage({ account, request, label }: { account: string; request: RestoreRequest; label: string | undefined }) {
  const [intoNewFolder, setIntoNewFolder] = useState(false);
  const body: RestoreRequest = { ...request, ...(intoNewFolder && { intoNewFolder: true }) };
  const key = JSON.stringify([account, body]);
  const plan = useApi(() => api.restorePlan(account, body), key);
  const [stage, setStage] = useState<Stage>({ step: 'plan' });
  const [startError, setStartError] = useState<string | undefined>(undefined);
  const [finished, setFinished] = useState<Job | undefined>(undefined);
  const progressHeading = useRef<HTMLHeadingElement>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);

  const restoredLabel = plan.data?.collections.flatMap((collection) => collection.records).find((record) => record.reason === 'restored' && record.id === request.id)?.label;
  const what = describeTarget(request, label ?? restoredLabel);
  const snapshotHref = `/accounts/${encodeURIComponent(account)}/snapshots/${request.from}`;

  async function confirm() {
    setStartError(undefined);
    setStage({ step: 'starting' });
    try {
      const { jobId } = await api.startRestore(account, body);
      setStage({ step: 'running', jobId });
    } catch (error) {
      setStage({ step: 'plan' });
      setStartError(error instanceof ApiError && error.status === 409 ? `Not started: ${error.message}` : describeError(error));
    }
  }

  useEffect(() => {
    if (stage.step === 'running') progressHeading.current?.focus();
  }, [stage]);

  const onFinished = useCallback((job: Job) => setFinished(job), []);
  useEffect(() => {
    if (finished?.state === 'completed') resultHeading.current?.focus();
  }, [finished]);

  function planAgain() {
    setFinished(undefined);
    setStage({ step: 'plan' });
    plan.reload();
  }

  const result = finished?.state === 'completed' ? (finished.result as RestoreResult | null) : null;
  const planning = stage.step !== 'running';

  return (
    <div className="page restore-page">
      <p className="breadcrumbs">
        <Link href="/accounts">Accounts</Link> / <Link href={`/accounts/${encodeURIComponent(account)}`}>{account}</Link> / <Link href={snapshotHref}>Snapshot #{request.from}</Link> /
      </p>
      <h1>Restore</h1>
      <p className="lede" data-restore-target>
        {what}, from <Link href={snapshotHref}>snapshot #{request.from}</Link>, into the live account <strong>{account}</strong>.
      </p>

      {planning && (
        <section className="panel" aria-labelledby="plan-title" aria-busy={plan.loading}>
          <div className="panel-head">
            <h2 id="plan-title">What it will do</h2>
            <button type="button" className="button button-secondary button-small" onClick={plan.reload} disabled={plan.loading}>
              Plan again
            </button>
          </div>
          {restoresBookmarks(request.kind) && (
            <fieldset className="restore-options" disabled={stage.step === 'starting'}>
              <legend>Where the bookmarks go</legend>
              <label className="kind-option">
                <input type="radio" name="placement" checked={!intoNewFolder} onChange={() => setIntoNewFolder(false)} /> Back where they were, at their old positions (missing folders are recreated)
              </label>
              <label className="kind-option">
                <input type="radio" name="placement" checked={intoNewFolder} onChange={() => setIntoNewFolder(true)} /> Into a new folder “Restored &lt;date&gt;” under Other Bookmarks
              </label>
            </fieldset>
          )}
          {plan.loading && plan.data === undefined && <Loading what="the plan, against the server as it is now" />}
          {plan.error !== undefined && <ErrorState title="Could not plan this restore." message={plan.error} onRetry={plan.reload} />}
          {plan.data !== undefined && plan.error === undefined && (
            <>
              <PlanView plan={plan.data} />
              {plan.data.totalChanges === 0 ? (
                <Empty title="Nothing to restore.">
                  <p>The live server already holds what the snapshot has.</p>
                </Empty>
              ) : (
                <div className="confirm-restore">
                  <p className="hint">
                    First a snapshot of the account as it is now (tagged pre-restore), so this can be undone. Just before writing, the restore plans again; if another device writes meanwhile, it plans again rather than overwrite.
                  </p>
                  {startError !== undefined && (
                    <p className="banner banner-error" role="alert">
                      {startError}
                    </p>
                  )}
                  <div className="actions">
                    <button type="button" className="button button-primary" onClick={() => void confirm()} disabled={stage.step === 'starting' || plan.loading}>
                      {stage.step === 'starting' ? 'Starting…' : `Restore ${formatCount(plan.data.totalChanges)} ${plan.data.totalChanges === 1 ? 'change' : 'changes'}`}
                    </button>
                    <Link className="button button-quiet" href={snapshotHref}>
                      Cancel
                    </Link>
                  </div>
                </div>
              )}
            </>
          )}
        </section>
      )}

      {stage.step === 'running' && (
        <section className="panel" aria-labelledby="progress-title">
          <h2 id="progress-title" ref={progressHeading} tabIndex={-1}>
            {finished === undefined ? 'Restoring…' : finished.state === 'completed' ? 'Restore finished' : 'Restore failed'}
          </h2>
          <RestoreJob account={account} jobId={stage.jobId} onFinished={onFinished} />
          {finished?.state === 'failed' && (
            <div className="actions">
              <button type="button" className="button button-secondary" onClick={planAgain}>
                Plan again
              </button>
            </div>
          )}
        </section>
      )}

      {result !== null && <ResultView account={account} result={result} headingRef={resultHeading} />}
    </div>
  );
}
