'use client';

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, describeError } from '../lib/api';
import { BASE_PATH, safeReturnPath } from '../lib/base-path';
import { useHydrated } from '../lib/use-hydrated';

function returnPath(): string {
  return safeReturnPath(new URLSearchParams(window.location.search).get('next'));
}

function signInError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'Wrong username or password.';
    if (error.status === 429) return `Too many failed sign-ins. Try again in ${error.retryAfterSeconds ?? 'a few'} seconds.`;
    if (error.status === 400) return `The daemon refused the sign-in: ${error.message}`;
  }
  return describeError(error);
}

export function SignInForm() {
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [submitting, setSubmitting] = useState(false);
  const passwordInput = useRef<HTMLInputElement>(null);
  const hydrated = useHydrated();

  useEffect(() => {
    const query = new URLSearchParams(window.location.search);
    if (query.has('signedOut')) setNotice('You are signed out.');
    else if (query.has('next')) setNotice('Sign in to continue.');
    // Already signed in (a bookmarked sign-in page): go on.
    api.me({ allowUnauthorized: true }).then(
      () => window.location.replace(BASE_PATH + returnPath()),
      () => undefined,
    );
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(undefined);
    try {
      await api.login(username.trim(), password);
      window.location.assign(BASE_PATH + returnPath());
    } catch (failure) {
      setError(signInError(failure));
      setSubmitting(false);
      passwordInput.current?.focus();
      passwordInput.current?.select();
    }
  }

  return (
    <form className="form" method="post" onSubmit={submit} aria-describedby={error !== undefined ? 'signin-error' : undefined}>
      {notice !== undefined && error === undefined && (
        <p className="banner banner-info" role="status">
          {notice}
        </p>
      )}
      {error !== undefined && (
        <p id="signin-error" className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      <div className="field">
        <label htmlFor="username">Username</label>
        <input id="username" name="username" autoComplete="username" required value={username} onChange={(event) => setUsername(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          ref={passwordInput}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          aria-invalid={error !== undefined ? true : undefined}
        />
      </div>
      <button type="submit" className="button button-primary button-wide" disabled={!hydrated || submitting}>
        {submitting ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
