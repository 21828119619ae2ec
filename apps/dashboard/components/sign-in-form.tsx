'use client';

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, describeError } from '../lib/api';
import { BASE_PATH, safeReturnPath } from '../lib/base-path';
import { useHydrated } from '../lib/use-hydrated';
import { PasswordForm } from './password-form';

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
  /** Signed in with a generated (one-time) password: a new one comes first. */
  const [mustChoose, setMustChoose] = useState(false);
  const chooseHeading = useRef<HTMLHeadingElement>(null);
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

  useEffect(() => {
    if (mustChoose) chooseHeading.current?.focus();
  }, [mustChoose]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(undefined);
    try {
      const session = await api.login(username.trim(), password);
      if (session.mustChangePassword) {
        setMustChoose(true);
        setSubmitting(false);
        return;
      }
      window.location.assign(BASE_PATH + returnPath());
    } catch (failure) {
      setError(signInError(failure));
      setSubmitting(false);
      passwordInput.current?.focus();
      passwordInput.current?.select();
    }
  }

  if (mustChoose) {
    return (
      <section className="choose-password" aria-labelledby="choose-password-title">
        <h2 id="choose-password-title" ref={chooseHeading} tabIndex={-1}>
          Choose your admin password
        </h2>
        <p>You signed in with the password Syncvault generated at its first start. It was printed in a log, so it is for this one sign-in: choose the password you will use from now on.</p>
        <PasswordForm currentPassword={password} submitLabel="Save and continue" onChanged={() => window.location.assign(BASE_PATH + returnPath())} />
      </section>
    );
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
