'use client';

import { useState, type FormEvent } from 'react';
import { api, describeError } from '../lib/api';
import type { CreatedApiToken } from '../lib/types';
import { useApi } from '../lib/use-api';
import { useHydrated } from '../lib/use-hydrated';
import { PasswordForm } from './password-form';
import { RelativeTime } from './relative-time';
import { Empty, ErrorState, Loading } from './states';

function ChangePassword() {
  const [changed, setChanged] = useState(0);
  return (
    <section className="panel" aria-labelledby="password-title">
      <h2 id="password-title">Admin password</h2>
      <p className="muted">Changing it signs out every other browser; API tokens keep working.</p>
      {changed > 0 && (
        <p className="banner banner-ok" role="status">
          Password changed. Other sessions are signed out.
        </p>
      )}
      {/* A fresh form after each change, so the fields are empty again. */}
      <PasswordForm key={changed} submitLabel="Change password" onChanged={() => setChanged((count) => count + 1)} />
    </section>
  );
}

function ApiTokens() {
  const tokens = useApi(() => api.apiTokens(), 'api-tokens');
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedApiToken | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const hydrated = useHydrated();

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      setCreated(await api.createApiToken(name.trim()));
      setName('');
      tokens.reload();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(id: string, tokenName: string) {
    if (!window.confirm(`Revoke the API token “${tokenName}”? Scripts using it stop working at once.`)) return;
    setError(undefined);
    try {
      await api.revokeApiToken(id);
      if (created?.id === id) setCreated(undefined);
      tokens.reload();
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  return (
    <section className="panel" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <p className="muted">
        For scripts: send <code>Authorization: Bearer &lt;token&gt;</code> to the API (documented at <code>/api/docs</code>). A token is shown once, when it is made.
      </p>
      {error !== undefined && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      {created !== undefined && (
        <div className="banner banner-ok" role="status">
          <p>
            Token “{created.name}” made. Copy it now: it is not shown again.
          </p>
          <code className="token-secret" aria-label="New API token">
            {created.token}
          </code>
        </div>
      )}
      <form className="inline-form" onSubmit={create}>
        <div className="field">
          <label htmlFor="token-name">What the token is for</label>
          <input id="token-name" required maxLength={100} placeholder="nightly export script" value={name} onChange={(event) => setName(event.target.value)} />
        </div>
        <button type="submit" className="button button-secondary" disabled={!hydrated || busy || name.trim() === ''}>
          Make a token
        </button>
      </form>
      {tokens.data === undefined && tokens.error === undefined && <Loading what="API tokens" />}
      {tokens.error !== undefined && <ErrorState title="Could not load the API tokens." message={tokens.error} onRetry={tokens.reload} />}
      {tokens.data !== undefined && tokens.data.length === 0 && <Empty title="No API token." />}
      {tokens.data !== undefined && tokens.data.length > 0 && (
        <ul className="token-list" aria-label="API tokens">
          {tokens.data.map((token) => (
            <li key={token.id} className="token-item">
              <span>
                <strong>{token.name}</strong>{' '}
                <span className="muted">
                  made <RelativeTime iso={token.createdAt} />, {token.lastUsedAt === null ? 'never used' : <>last used <RelativeTime iso={token.lastUsedAt} /></>}
                </span>
              </span>
              <button type="button" className="button button-secondary button-small" onClick={() => revoke(token.id, token.name)} aria-label={`Revoke the token ${token.name}`}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function SettingsPage() {
  return (
    <div className="page page-narrow">
      <h1>Settings</h1>
      <ChangePassword />
      <ApiTokens />
    </div>
  );
}
