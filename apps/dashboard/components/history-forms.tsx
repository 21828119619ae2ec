'use client';

import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { formatDateTime } from '../lib/format';
import { historyHref, type DiffPoint, type HistoryQuery } from '../lib/history';
import type { Snapshot } from '../lib/types';

/**
 * What the person just asked for, so that the history page moves the focus to its answer once it
 * is shown; a module variable, since asking navigates (client-side) to the history page.
 */
let requested: 'diff' | 'find' | undefined;

/** True once, right after the person asked for `what`. */
export function takeFocusRequest(what: 'diff' | 'find'): boolean {
  if (requested !== what) return false;
  requested = undefined;
  return true;
}

function snapshotOption(snapshot: Snapshot): string {
  const tags = snapshot.tags.length > 0 ? ` · ${snapshot.tags.join(', ')}` : '';
  return `#${snapshot.seq} · ${formatDateTime(snapshot.finishedAt ?? snapshot.startedAt)}${tags}`;
}

/** The points picked when the address names none: the two newest snapshots, or the only one and the live server. */
export function defaultPoints(snapshots: Snapshot[]): { from: number; to: DiffPoint } | undefined {
  const [newest, previous] = snapshots;
  if (newest === undefined) return undefined;
  return previous === undefined ? { from: newest.seq, to: 'live' } : { from: previous.seq, to: newest.seq };
}

/**
 * Two points of the account's timeline: a snapshot, and another snapshot or the live server.
 * Choosing goes to the history page with both in the address.
 */
export function ComparePicker({ account, snapshots, query }: { account: string; snapshots: Snapshot[]; query: HistoryQuery }) {
  const router = useRouter();
  const id = useId();
  const defaults = defaultPoints(snapshots);
  const [from, setFrom] = useState(String(query.from ?? defaults?.from ?? ''));
  const [to, setTo] = useState(String(query.to ?? defaults?.to ?? 'live'));
  const [problem, setProblem] = useState<string | undefined>(undefined);

  if (snapshots.length === 0) return <p className="muted">Changes can be compared once there is a complete snapshot.</p>;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (from === to) {
      setProblem('Pick two different points.');
      return;
    }
    setProblem(undefined);
    requested = 'diff';
    router.push(historyHref(account, { ...query, from: Number(from), to: to === 'live' ? 'live' : Number(to) }));
  }

  return (
    <form className="compare-form" onSubmit={submit} aria-describedby={problem === undefined ? undefined : `${id}-problem`}>
      <div className="field">
        <label htmlFor={`${id}-from`}>From</label>
        <select id={`${id}-from`} value={from} onChange={(event) => setFrom(event.target.value)}>
          {snapshots.map((snapshot) => (
            <option key={snapshot.seq} value={snapshot.seq}>
              {snapshotOption(snapshot)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>To</label>
        <select id={`${id}-to`} value={to} onChange={(event) => setTo(event.target.value)}>
          <option value="live">The live server now</option>
          {snapshots.map((snapshot) => (
            <option key={snapshot.seq} value={snapshot.seq}>
              {snapshotOption(snapshot)}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button button-primary">
        Show changes
      </button>
      {problem !== undefined && (
        <p id={`${id}-problem`} className="field-error compare-problem" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

/** "When did it vanish?": a title or URL searched across every snapshot, on the history page. */
export function VanishedSearch({ account, query }: { account: string; query: HistoryQuery }) {
  const router = useRouter();
  const id = useId();
  const [text, setText] = useState(query.find ?? '');

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = text.trim();
    if (trimmed === '') return;
    requested = 'find';
    router.push(historyHref(account, { ...query, find: trimmed }));
  }

  return (
    <form className="search vanished-search" role="search" aria-label="When did it vanish?" onSubmit={submit}>
      <label htmlFor={`${id}-find`} className="visually-hidden">
        Title or URL to look for in every snapshot
      </label>
      <input id={`${id}-find`} type="search" placeholder="Title or URL, e.g. a bookmark you miss" value={text} maxLength={200} onChange={(event) => setText(event.target.value)} />
      <button type="submit" className="button button-secondary">
        Find
      </button>
    </form>
  );
}
