'use client';

import Link from 'next/link';
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, describeError } from '../lib/api';
import { BASE_PATH } from '../lib/base-path';
import { kindLabel } from '../lib/format';
import type { Account, AccountKind, AddAccountInput, AddAccountStep } from '../lib/types';
import { useHydrated } from '../lib/use-hydrated';

export type PendingStep = Exclude<AddAccountStep, { status: 'done' }>;

const KINDS: Array<{ kind: AccountKind; hint: string }> = [
  { kind: 'mozilla', hint: 'A Firefox account at Mozilla, syncing to Mozilla’s servers.' },
  { kind: 'selfhosted15', hint: 'Your own Firefox Sync 1.5 server (syncstorage-rs), and/or your own accounts server.' },
  { kind: 'legacy11', hint: 'An old Weave / Sync 1.1 server, signed in with a password and a Sync Key.' },
];

/** Seconds between checks whether an emailed sign-in link was clicked. */
const POLL_SECONDS = 5;

/** What a failed step means for the person adding the account, in one line. */
export function wizardError(error: unknown): string {
  if (!(error instanceof ApiError)) return describeError(error);
  switch (error.status) {
    case 422:
      return `The Sync server refused: ${error.message}`;
    case 409:
      return error.message;
    case 410:
      return 'This sign-in is over (it expired, or the daemon restarted). Start again.';
    case 429:
      return `The accounts server asks to slow down${error.retryAfterSeconds !== undefined ? `: try again in ${error.retryAfterSeconds} seconds` : ''}. ${error.message}`;
    case 502:
    case 503:
      return `The Sync server could not be reached or is down: ${error.message}`;
    default:
      return error.message;
  }
}

/**
 * Whether a failed step ended the sign-in: it expired (410), or the accounts server refused
 * something other than the code, such as the password it checks only once the unblock code is in;
 * the daemon then drops the sign-in, so the details form comes back to be corrected.
 */
function endsSignIn(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.status === 410 || (error.status === 422 && !/code is wrong or expired/.test(error.message));
}

export function Field({ id, label, hint, children }: { id: string; label: string; hint?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint !== undefined && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

function inputFor(kind: AccountKind, form: Record<string, string>): AddAccountInput {
  const value = (key: string) => (form[key] ?? '').trim();
  const optional = (key: string) => (value(key) === '' ? {} : { [key]: value(key) });
  const base = { name: value('name'), kind, password: form['password'] ?? '' };
  if (kind === 'mozilla') return { ...base, email: value('email') };
  if (kind === 'selfhosted15') return { ...base, email: value('email'), ...optional('fxaUrl'), ...optional('tokenServerUrl'), ...optional('signAsOrigin') };
  const user = value('user');
  return { ...base, ...(user.includes('@') ? { email: user } : { username: user }), syncKey: value('syncKey'), serverUrl: value('serverUrl'), ...optional('storageUrl') };
}

/** The step the accounts server waits for: a code to type, or a link to click in an email. */
export function PendingStepForm({ step, onStep, onError, onCancel }: { step: PendingStep; onStep: (step: AddAccountStep) => void; onError: (message: string, restart: boolean) => void; onCancel: () => void }) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const codeInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setCode('');
    codeInput.current?.focus();
  }, [step]);

  useEffect(() => {
    if (step.status !== 'email-confirmation-required') return undefined;
    const timer = setInterval(() => {
      api.pollLogin(step.loginId).then(
        (next) => {
          if (next.status !== step.status) onStep(next);
        },
        (error: unknown) => onError(wizardError(error), error instanceof ApiError && error.status === 410),
      );
    }, POLL_SECONDS * 1000);
    return () => clearInterval(timer);
  }, [step, onStep, onError]);

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    try {
      onStep(await api.submitLoginCode(step.loginId, code.trim()));
    } catch (error) {
      onError(wizardError(error), endsSignIn(error));
      codeInput.current?.select();
    } finally {
      setBusy(false);
    }
  }

  async function check() {
    setBusy(true);
    try {
      const next = await api.pollLogin(step.loginId);
      if (next.status === step.status) onError('The link has not been clicked yet.', false);
      else onStep(next);
    } catch (error) {
      onError(wizardError(error), error instanceof ApiError && error.status === 410);
    } finally {
      setBusy(false);
    }
  }

  const expires = new Date(step.expiresAt).toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' });
  if (step.status === 'email-confirmation-required') {
    return (
      <div className="step" data-step={step.status}>
        <h2>Confirm the sign-in</h2>
        <p>
          The accounts server emailed a confirmation link to <strong>{step.email}</strong>. Open it, then come back: this page checks every {POLL_SECONDS} seconds. The sign-in waits until {expires}.
        </p>
        <div className="actions">
          <button type="button" className="button button-primary" onClick={check} disabled={busy}>
            I clicked the link
          </button>
          <button type="button" className="button button-secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    );
  }
  const [title, help, label] =
    step.status === 'unblock-code-required'
      ? ['Enter the unblock code', <>The accounts server wants to be sure it is you: it emailed an unblock code to <strong>{step.email}</strong>.</>, 'Unblock code']
      : step.method === 'totp-2fa'
        ? ['Enter the two-step authentication code', <>This account uses two-step authentication: enter the current code from its authenticator app.</>, 'Authentication code']
        : ['Enter the confirmation code', <>The accounts server emailed a confirmation code to <strong>{step.email}</strong>.</>, 'Confirmation code'];
  return (
    <form className="step form" data-step={step.status} onSubmit={send}>
      <h2>{title}</h2>
      <p>
        {help} The sign-in waits until {expires}.
      </p>
      <Field id="code" label={label}>
        <input id="code" name="code" ref={codeInput} required autoComplete="one-time-code" inputMode={step.status === 'unblock-code-required' ? 'text' : 'numeric'} value={code} onChange={(event) => setCode(event.target.value)} />
      </Field>
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Checking…' : 'Continue'}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * Add an account of any kind: the details, then whatever the accounts server asks for (an unblock
 * code, an emailed or authenticator code, a click on an emailed link), until the daemon has
 * checked that the account's data decrypts and saved it.
 */
/**
 * The steps of a sign-in the daemon drives (adding or reconnecting an account): the step that
 * waits for the user, the error shown (focused when it appears), and where to go once done.
 */
export function useSignInSteps(whenDone: (account: Account) => string) {
  const [step, setStep] = useState<PendingStep | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const errorBanner = useRef<HTMLParagraphElement>(null);
  const doneRef = useRef(whenDone);
  doneRef.current = whenDone;

  useEffect(() => {
    if (error !== undefined) errorBanner.current?.focus();
  }, [error]);

  const advance = useCallback((next: AddAccountStep) => {
    setError(undefined);
    if (next.status === 'done') {
      window.location.assign(BASE_PATH + doneRef.current(next.account));
      return;
    }
    setStep(next);
  }, []);

  const fail = useCallback((message: string, restart: boolean) => {
    setError(message);
    if (restart) setStep(undefined);
  }, []);

  const cancel = useCallback(async () => {
    if (step !== undefined) await api.cancelLogin(step.loginId).catch(() => undefined);
    setStep(undefined);
    setError(undefined);
  }, [step]);

  return { step, error, setError, errorBanner, advance, fail, cancel };
}

export function AddAccountWizard() {
  const [kind, setKind] = useState<AccountKind>('mozilla');
  const [form, setForm] = useState<Record<string, string>>({});
  const [submitting, setSubmitting] = useState(false);
  const hydrated = useHydrated();
  const { step, error, setError, errorBanner, advance, fail, cancel } = useSignInSteps((account) => `/accounts/${encodeURIComponent(account.name)}?added=1`);

  const set = (key: string) => (event: { target: { value: string } }) => setForm((current) => ({ ...current, [key]: event.target.value }));
  const text = (key: string) => form[key] ?? '';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(undefined);
    try {
      advance(await api.addAccount(inputFor(kind, form)));
    } catch (failure) {
      setError(wizardError(failure));
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <div className="page">
      <p className="breadcrumbs">
        <Link href="/accounts">Accounts</Link> /
      </p>
      <h1>Add an account</h1>
      <div className="panel wizard">
        {error !== undefined && (
          <p className="banner banner-error" role="alert" tabIndex={-1} ref={errorBanner}>
            {error}
          </p>
        )}
        {step !== undefined ? (
          <PendingStepForm step={step} onStep={advance} onError={fail} onCancel={cancel} />
        ) : (
          <form className="form" method="post" onSubmit={submit}>
            <fieldset className="kinds">
              <legend>Kind of account</legend>
              {KINDS.map((option) => (
                <div key={option.kind} className="kind-option">
                  <input type="radio" id={`kind-${option.kind}`} name="kind" value={option.kind} checked={kind === option.kind} onChange={() => setKind(option.kind)} aria-describedby={`kind-${option.kind}-hint`} />
                  <label htmlFor={`kind-${option.kind}`}>
                    <strong>{kindLabel(option.kind)}</strong>
                    <span className="hint" id={`kind-${option.kind}-hint`}>
                      {option.hint}
                    </span>
                  </label>
                </div>
              ))}
            </fieldset>
            <Field id="name" label="Name" hint="How Syncvault calls it: 1-64 letters, digits, dots, dashes or underscores, e.g. laptop.">
              <input id="name" name="name" required pattern="[A-Za-z0-9._\-]{1,64}" aria-describedby="name-hint" value={text('name')} onChange={set('name')} />
            </Field>
            {kind === 'legacy11' ? (
              <>
                <Field id="serverUrl" label="Sync 1.1 server URL" hint="e.g. https://weave.example.com">
                  <input id="serverUrl" name="serverUrl" type="url" required aria-describedby="serverUrl-hint" value={text('serverUrl')} onChange={set('serverUrl')} />
                </Field>
                <Field id="user" label="Email or username">
                  <input id="user" name="user" required autoComplete="username" value={text('user')} onChange={set('user')} />
                </Field>
              </>
            ) : (
              <Field id="email" label="Email">
                <input id="email" name="email" type="email" required autoComplete="username" value={text('email')} onChange={set('email')} />
              </Field>
            )}
            <Field id="password" label="Password" hint={kind === 'legacy11' ? 'Kept sealed in the vault: a 1.1 server needs it for every backup.' : 'Used to sign in once; Syncvault keeps tokens and keys, sealed, never the password.'}>
              <input id="password" name="password" type="password" required autoComplete="off" aria-describedby="password-hint" value={text('password')} onChange={set('password')} />
            </Field>
            {kind === 'legacy11' && (
              <>
                <Field id="syncKey" label="Sync Key" hint="The recovery key, e.g. a-bcdef-ghijk-mnpqr-stuvw-xyz23-45678 (dashes optional).">
                  <input id="syncKey" name="syncKey" required autoComplete="off" spellCheck={false} aria-describedby="syncKey-hint" value={text('syncKey')} onChange={set('syncKey')} />
                </Field>
                <Field id="storageUrl" label="Storage URL (optional)" hint="Only when the storage node the server names does not work from here.">
                  <input id="storageUrl" name="storageUrl" type="url" aria-describedby="storageUrl-hint" value={text('storageUrl')} onChange={set('storageUrl')} />
                </Field>
              </>
            )}
            {kind === 'selfhosted15' && (
              <>
                <Field id="fxaUrl" label="Accounts server URL" hint="Leave empty for Mozilla’s accounts (your own storage server trusting Mozilla accounts).">
                  <input id="fxaUrl" name="fxaUrl" type="url" aria-describedby="fxaUrl-hint" value={text('fxaUrl')} onChange={set('fxaUrl')} />
                </Field>
                <Field id="tokenServerUrl" label="Token server URL" hint="e.g. https://sync.example.com/1.0/sync/1.5; leave empty for Mozilla’s.">
                  <input id="tokenServerUrl" name="tokenServerUrl" type="url" aria-describedby="tokenServerUrl-hint" value={text('tokenServerUrl')} onChange={set('tokenServerUrl')} />
                </Field>
                <Field id="signAsOrigin" label="Sign requests as origin (optional)" hint="Only behind a proxy that rewrites the host or port, e.g. https://sync.example.com.">
                  <input id="signAsOrigin" name="signAsOrigin" type="url" aria-describedby="signAsOrigin-hint" value={text('signAsOrigin')} onChange={set('signAsOrigin')} />
                </Field>
              </>
            )}
            <div className="actions">
              <button type="submit" className="button button-primary" disabled={!hydrated || submitting}>
                {submitting ? 'Signing in and checking…' : 'Add account'}
              </button>
              <Link href="/accounts" className="button button-secondary">
                Cancel
              </Link>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
