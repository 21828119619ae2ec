'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { api } from '../lib/api';
import { kindLabel } from '../lib/format';
import { useApi } from '../lib/use-api';
import { useHydrated } from '../lib/use-hydrated';
import { Field, PendingStepForm, useSignInSteps, wizardError } from './add-account-wizard';
import { ErrorState, Loading } from './states';

/**
 * Signs an account in again after its password changed (or its tokens were revoked): the current
 * password, and for Sync 1.1 optionally a new Sync Key; then whatever steps the accounts server
 * asks for, as when adding it. Its snapshots and settings stay.
 */
export function ReconnectAccount({ name }: { name: string }) {
  const account = useApi(() => api.account(name), `account:${name}`);
  const [password, setPassword] = useState('');
  const [syncKey, setSyncKey] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const hydrated = useHydrated();
  const { step, error, setError, errorBanner, advance, fail, cancel } = useSignInSteps(() => `/accounts/${encodeURIComponent(name)}?reconnected=1`);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(undefined);
    try {
      advance(await api.reconnectAccount(name, { password, ...(syncKey.trim() !== '' && { syncKey: syncKey.trim() }) }));
    } catch (failure) {
      setError(wizardError(failure));
    } finally {
      setSubmitting(false);
    }
  }

  const data = account.data;
  return (
    <div className="page">
      <p className="breadcrumbs">
        <Link href="/accounts">Accounts</Link> / <Link href={`/accounts/${encodeURIComponent(name)}`}>{name}</Link> /
      </p>
      <h1>Reconnect {name}</h1>
      {data === undefined && account.error === undefined && <Loading what="the account" />}
      {account.error !== undefined && <ErrorState title="Could not load the account." message={account.error} onRetry={account.reload} />}
      {data !== undefined && (
        <div className="panel wizard">
          <p>
            {kindLabel(data.kind)} · <strong>{data.email}</strong>. Sign in again when backups fail because the account’s password changed or its sessions were ended. Its snapshots, schedule and
            retention stay as they are.
          </p>
          {error !== undefined && (
            <p className="banner banner-error" role="alert" tabIndex={-1} ref={errorBanner}>
              {error}
            </p>
          )}
          {step !== undefined ? (
            <PendingStepForm step={step} onStep={advance} onError={fail} onCancel={cancel} />
          ) : (
            <form className="form" method="post" onSubmit={submit}>
              <Field id="password" label="Password" hint={data.kind === 'legacy11' ? 'The account’s current password on the Sync 1.1 server.' : 'The account’s current password; used to sign in once, never kept.'}>
                <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.target.value)} />
              </Field>
              {data.kind === 'legacy11' && (
                <Field id="syncKey" label="New Sync Key (optional)" hint="Only if the Sync Key changed too; otherwise the stored one is used.">
                  <input id="syncKey" name="syncKey" autoComplete="off" spellCheck={false} value={syncKey} onChange={(event) => setSyncKey(event.target.value)} />
                </Field>
              )}
              <div className="actions">
                <button type="submit" className="button button-primary" disabled={!hydrated || submitting}>
                  {submitting ? 'Signing in…' : 'Reconnect'}
                </button>
                <Link href={`/accounts/${encodeURIComponent(name)}`} className="button button-secondary">
                  Cancel
                </Link>
              </div>
            </form>
          )}
        </div>
      )}
    </div>
  );
}
