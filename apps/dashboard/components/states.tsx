import type { ReactNode } from 'react';

/** A part of the page waiting for the daemon; announced politely to screen readers. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

/** Something failed: what, and what to do; with a retry when there is one. */
export function ErrorState({ title, message, onRetry }: { title: string; message: string; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>{title}</strong> {message}
      </p>
      {onRetry !== undefined && (
        <button type="button" className="button button-secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Nothing to show yet, and what would make something appear. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p>
        <strong>{title}</strong>
      </p>
      {children}
    </div>
  );
}

/** The outcome of a save: announced politely when it worked, at once when it did not. */
export function Outcome({ outcome }: { outcome: { ok: boolean; text: string } | undefined }) {
  if (outcome === undefined) return null;
  return (
    <p className={`banner ${outcome.ok ? 'banner-ok' : 'banner-error'}`} role={outcome.ok ? 'status' : 'alert'}>
      {outcome.text}
    </p>
  );
}
