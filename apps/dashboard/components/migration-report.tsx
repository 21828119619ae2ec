'use client';

import Link from 'next/link';
import { useRef, useState, type ReactNode, type RefObject } from 'react';
import { formatCount, formatDateTime } from '../lib/format';
import { migrationHref, STATUS } from '../lib/migrate';
import type { Account, ClientInstructions, MigrationResult, MigrationView } from '../lib/types';
import { Badge } from './badge';
import { RelativeTime } from './relative-time';

const PROBLEM_WORDS: Record<string, string> = {
  missing: 'missing on the target',
  differs: 'differs on the target',
  unexpected: 'on the target but not sent',
  undecryptable: 'does not decrypt on the target',
};

/** Copies `text`; where the browser refuses (no clipboard outside https), selects it for Ctrl+C instead. */
function CopyButton({ text, label, target }: { text: string; label: string; target: RefObject<HTMLElement | null> }) {
  const [outcome, setOutcome] = useState<string>('');

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setOutcome('Copied.');
    } catch {
      const element = target.current;
      if (element !== null) window.getSelection()?.selectAllChildren(element);
      setOutcome('Selected: press Ctrl+C (⌘C) to copy.');
    }
  }

  return (
    <>
      <button type="button" className="button button-secondary button-small" onClick={() => void copy()} aria-label={label}>
        Copy
      </button>
      <span className="copy-outcome muted" role="status" aria-live="polite">
        {outcome}
      </span>
    </>
  );
}

function Steps({ title, steps }: { title: string; steps: string[] }) {
  if (steps.length === 0) return null;
  return (
    <section className="client-steps" aria-label={title}>
      <h4>{title}</h4>
      <ol>
        {steps.map((step, index) => (
          <li key={index}>{step}</li>
        ))}
      </ol>
    </section>
  );
}

/** The settings that point Firefox at the new server, as the daemon built them from the target's URLs. */
export function ClientInstructionsView({ clients }: { clients: ClientInstructions }) {
  const uri = useRef<HTMLElement>(null);
  return (
    <section className="client-instructions" aria-labelledby="clients-title">
      <h3 id="clients-title">Use the new server in Firefox</h3>
      <div className="copy-field">
        <span className="copy-label" id="token-server-label">
          Token server URI
        </span>
        <code ref={uri} data-token-server-uri aria-labelledby="token-server-label">
          {clients.tokenServerUri}
        </code>
        <CopyButton text={clients.tokenServerUri} label="Copy the token server URI" target={uri} />
      </div>
      {clients.accountsServerUri !== null && (
        <p>
          Accounts server: <code data-accounts-server-uri>{clients.accountsServerUri}</code>
        </p>
      )}
      <div className="client-steps-list">
        <Steps title="Firefox for desktop" steps={clients.desktop} />
        <Steps title="Firefox for Android" steps={clients.android} />
        <Steps title="Firefox for iOS" steps={clients.ios} />
      </div>
    </section>
  );
}

/** Per collection: the records sent, found on the target and mismatching (and, for a resumed run, uploaded by it); then the mismatching records. */
function VerificationView({ result }: { result: MigrationResult }) {
  const { verification } = result;
  return (
    <>
      <div className="table-wrap" role="region" aria-label="Verification per collection" tabIndex={0}>
        <table className="table table-stack">
          <thead>
            <tr>
              <th scope="col">Collection</th>
              <th scope="col" className="number">
                Sent
              </th>
              <th scope="col" className="number">
                On the target
              </th>
              <th scope="col" className="number">
                Mismatches
              </th>
              {result.resumed && (
                <th scope="col" className="number">
                  Uploaded by this run
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {verification.collections.map((collection) => (
              <tr key={collection.collection} data-verified-collection={collection.collection} data-found={collection.found} data-mismatches={collection.mismatches}>
                <td data-label="Collection">{collection.collection}</td>
                <td data-label="Sent" className="number">
                  {formatCount(collection.expected)}
                </td>
                <td data-label="On the target" className="number">
                  {formatCount(collection.found)}
                </td>
                <td data-label="Mismatches" className={`number${collection.mismatches > 0 ? ' error-text' : ''}`}>
                  {formatCount(collection.mismatches)}
                </td>
                {result.resumed && (
                  <td data-label="Uploaded now" className="number">
                    {collection.collection in result.uploaded ? formatCount(result.uploaded[collection.collection] ?? 0) : '—'}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {verification.mismatches.length > 0 && (
        <>
          <h3>Mismatching records{verification.mismatches.length >= 100 ? ' (the first 100)' : ''}</h3>
          <ul className="mismatch-list" aria-label="Mismatching records">
            {verification.mismatches.map((mismatch) => (
              <li key={`${mismatch.collection}:${mismatch.id}:${mismatch.problem}`} data-mismatch-id={mismatch.id}>
                {mismatch.collection} <code>{mismatch.id}</code>: <span className="error-text">{PROBLEM_WORDS[mismatch.problem] ?? mismatch.problem}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

/** A migration's outcome: whether the target holds what was sent, then how to point Firefox at it. */
export function MigrationReport({ result, headingRef, actions }: { result: MigrationResult; headingRef?: RefObject<HTMLHeadingElement | null>; actions?: ReactNode }) {
  const ok = result.verification.ok;
  const uploaded = Object.values(result.uploaded).reduce((sum, count) => sum + count, 0);
  const sent = result.verification.collections.reduce((sum, collection) => sum + collection.expected, 0);
  const { plan } = result;
  return (
    <section className="panel migration-result" aria-labelledby="result-title" data-verification={ok ? 'ok' : 'mismatch'} data-migration-id={result.migrationId}>
      <h2 id="result-title" ref={headingRef} tabIndex={-1}>
        {ok ? 'Migrated and verified' : 'Copied, but the verification found differences'}
      </h2>
      <dl className="facts">
        <div>
          <dt>Verification</dt>
          <dd data-verified={ok ? 'yes' : 'no'}>
            {ok ? (
              <>
                <Badge tone="ok">Verified</Badge> the target holds every record sent, as it was sent
              </>
            ) : (
              <Badge tone="failed">{formatCount(result.verification.collections.reduce((sum, collection) => sum + collection.mismatches, 0))} records differ</Badge>
            )}
          </dd>
        </div>
        <div>
          <dt>From</dt>
          <dd>
            {plan.source.name} ({plan.source.snapshot === null ? 'a fresh backup' : `snapshot #${plan.source.snapshot.seq}`})
          </dd>
        </div>
        <div>
          <dt>To</dt>
          <dd>
            {plan.target.name} <span className="muted break">({plan.target.tokenServerUrl})</span>
          </dd>
        </div>
        <div>
          <dt>Records</dt>
          <dd data-records-sent={sent}>
            {formatCount(sent)} sent{result.resumed ? `, ${formatCount(uploaded)} of them by this run (it resumed an interrupted one)` : ''}
          </dd>
        </div>
      </dl>
      <h3>Checked on the target</h3>
      <VerificationView result={result} />
      {result.notices.length > 0 && (
        <>
          <h3>What the target said along the way</h3>
          <ul className="plan-notes" aria-label="Notices">
            {result.notices.map((notice, index) => (
              <li key={index}>{notice}</li>
            ))}
          </ul>
        </>
      )}
      <ClientInstructionsView clients={result.clients} />
      {actions}
    </section>
  );
}

/** Past migrations, newest first, with their state and a link to each one's report. */
export function MigrationList({ migrations, accounts }: { migrations: MigrationView[]; accounts: Account[] | undefined }) {
  const names = new Map((accounts ?? []).map((account) => [account.id, account.name]));
  const name = (id: string, fallback: string | undefined) => names.get(id) ?? fallback ?? id;
  return (
    <div className="table-wrap" role="region" aria-label="Past migrations" tabIndex={0}>
      <table className="table table-stack migration-list">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Status</th>
            <th scope="col">Records</th>
            <th scope="col">Report</th>
          </tr>
        </thead>
        <tbody>
          {migrations.map((migration) => {
            const status = STATUS[migration.status] ?? { label: migration.status, tone: 'neutral' as const };
            return (
              <tr key={migration.id} data-migration-id={migration.id} data-status={migration.status}>
                <td data-label="Started">
                  <RelativeTime iso={migration.startedAt} />
                </td>
                <td data-label="From">
                  {name(migration.sourceAccountId, migration.result?.plan.source.name)} <span className="muted">#{migration.sourceSeq}</span>
                </td>
                <td data-label="To">
                  {name(migration.targetAccountId, migration.result?.plan.target.name)}
                  {migration.mode !== 'empty' && <span className="muted"> ({migration.mode})</span>}
                  {migration.rekey && <span className="muted"> (re-keyed)</span>}
                </td>
                <td data-label="Status">
                  <Badge tone={status.tone}>{status.label}</Badge>
                  {migration.error !== null && <span className="error-text migration-error"> {migration.error}</span>}
                </td>
                <td data-label="Records" className="number">
                  {formatCount(migration.done)} of {formatCount(migration.total)}
                </td>
                <td data-label="Report">
                  <Link href={migrationHref(migration.id)} aria-label={`Report of the migration started ${formatDateTime(migration.startedAt)}`}>
                    {migration.result !== null ? 'Report' : 'Details'}
                  </Link>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
