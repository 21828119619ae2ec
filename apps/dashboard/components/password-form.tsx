'use client';

import { useId, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, describeError } from '../lib/api';
import { useHydrated } from '../lib/use-hydrated';

/** The daemon's rule (MIN_PASSWORD_LENGTH); checked here first only to say so before a round trip. */
export const MIN_PASSWORD_LENGTH = 8;

function changeError(error: unknown): string {
  if (error instanceof ApiError && error.status === 400) {
    if (/current password is wrong/.test(error.message)) return 'The current password is wrong.';
    if (/must differ/.test(error.message)) return 'Choose a password different from the current one.';
    return `The daemon refused the new password: ${error.message}`;
  }
  return describeError(error);
}

/**
 * Sets a new admin password. `currentPassword` is given when it was just typed (the sign-in that
 * found a generated password); otherwise the form asks for it.
 */
export function PasswordForm({ currentPassword, submitLabel, onChanged }: { currentPassword?: string; submitLabel: string; onChanged: () => void }) {
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [error, setError] = useState<{ field: 'current' | 'next' | 'confirmation' | 'form'; message: string } | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const nextInput = useRef<HTMLInputElement>(null);
  const confirmationInput = useRef<HTMLInputElement>(null);
  const currentInput = useRef<HTMLInputElement>(null);
  const hydrated = useHydrated();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(undefined);
    if (next.length < MIN_PASSWORD_LENGTH) {
      setError({ field: 'next', message: `The new password must be at least ${MIN_PASSWORD_LENGTH} characters.` });
      nextInput.current?.focus();
      return;
    }
    if (next !== confirmation) {
      setError({ field: 'confirmation', message: 'The two new passwords differ.' });
      confirmationInput.current?.focus();
      return;
    }
    setSaving(true);
    try {
      await api.changePassword(currentPassword ?? current, next);
      onChanged();
    } catch (failure) {
      const message = changeError(failure);
      const wrongCurrent = message.startsWith('The current password');
      setError({ field: wrongCurrent && currentPassword === undefined ? 'current' : 'form', message });
      (wrongCurrent ? currentInput : nextInput).current?.focus();
      setSaving(false);
    }
  }

  const errorId = `${id}-error`;
  const invalid = (field: 'current' | 'next' | 'confirmation') => (error?.field === field ? true : undefined);
  return (
    <form className="form" onSubmit={submit} noValidate>
      {error !== undefined && (
        <p id={errorId} className="banner banner-error" role="alert">
          {error.message}
        </p>
      )}
      {/* Password managers file the new password under the right user. */}
      <input type="text" name="username" autoComplete="username" value="admin" readOnly hidden />
      {currentPassword === undefined && (
        <div className="field">
          <label htmlFor={`${id}-current`}>Current password</label>
          <input
            id={`${id}-current`}
            type="password"
            autoComplete="current-password"
            required
            ref={currentInput}
            value={current}
            onChange={(event) => setCurrent(event.target.value)}
            aria-invalid={invalid('current')}
            aria-describedby={invalid('current') ? errorId : undefined}
          />
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-new`}>New password</label>
        <input
          id={`${id}-new`}
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          ref={nextInput}
          value={next}
          onChange={(event) => setNext(event.target.value)}
          aria-invalid={invalid('next')}
          aria-describedby={`${id}-rule${invalid('next') ? ` ${errorId}` : ''}`}
        />
        <p id={`${id}-rule`} className="hint">
          At least {MIN_PASSWORD_LENGTH} characters. A long phrase is easier to remember than a short jumble.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-confirm`}>New password again</label>
        <input
          id={`${id}-confirm`}
          type="password"
          autoComplete="new-password"
          required
          ref={confirmationInput}
          value={confirmation}
          onChange={(event) => setConfirmation(event.target.value)}
          aria-invalid={invalid('confirmation')}
          aria-describedby={invalid('confirmation') ? errorId : undefined}
        />
      </div>
      <button type="submit" className="button button-primary" disabled={!hydrated || saving}>
        {saving ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}
