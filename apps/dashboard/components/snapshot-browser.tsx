'use client';

import Link from 'next/link';
import { useEffect, useState, type FormEvent } from 'react';
import { api, describeError, exportUrl } from '../lib/api';
import { formatCount, formatDateTime } from '../lib/format';
import { isRestorable, restoreHref } from '../lib/restore';
import type { RestoreRequest, SnapshotRecord } from '../lib/types';
import { useApi } from '../lib/use-api';
import { BookmarkTreeView } from './bookmark-tree';
import { ErrorState, Empty, Loading } from './states';

const PAGE_SIZE = 50;

/** Record fields shown as columns, per collection; other collections show each record's fields in one line. */
const COLUMNS: Record<string, Array<{ label: string; value: (record: Record<string, unknown>) => unknown }>> = {
  bookmarks: [
    { label: 'Title', value: (record) => record['title'] ?? record['type'] },
    { label: 'URL', value: (record) => record['bmkUri'] },
    { label: 'Folder', value: (record) => record['parentName'] },
    { label: 'Type', value: (record) => record['type'] },
  ],
  history: [
    { label: 'Title', value: (record) => record['title'] },
    { label: 'URL', value: (record) => record['histUri'] },
    { label: 'Visits', value: (record) => (Array.isArray(record['visits']) ? record['visits'].length : undefined) },
    { label: 'Last visit', value: (record) => lastVisit(record['visits']) },
  ],
  passwords: [
    { label: 'Site', value: (record) => record['hostname'] },
    { label: 'Username', value: (record) => record['username'] },
    { label: 'Password', value: (record) => record['password'] },
  ],
  forms: [
    { label: 'Field', value: (record) => record['name'] },
    { label: 'Value', value: (record) => record['value'] },
  ],
  clients: [
    { label: 'Name', value: (record) => record['name'] },
    { label: 'Type', value: (record) => record['type'] },
  ],
  tabs: [
    { label: 'Device', value: (record) => record['clientName'] },
    { label: 'Open tabs', value: (record) => (Array.isArray(record['tabs']) ? record['tabs'].length : undefined) },
  ],
  addons: [
    { label: 'Add-on', value: (record) => record['addonID'] },
    { label: 'Enabled', value: (record) => record['enabled'] },
  ],
  addresses: [
    { label: 'Name', value: (record) => (record['entry'] as Record<string, unknown> | undefined)?.['name'] },
    { label: 'Address', value: (record) => (record['entry'] as Record<string, unknown> | undefined)?.['street-address'] },
    { label: 'City', value: (record) => (record['entry'] as Record<string, unknown> | undefined)?.['address-level2'] },
  ],
  creditcards: [
    { label: 'Name on card', value: (record) => (record['entry'] as Record<string, unknown> | undefined)?.['cc-name'] },
    { label: 'Number', value: (record) => (record['entry'] as Record<string, unknown> | undefined)?.['cc-number'] },
    { label: 'Type', value: (record) => (record['entry'] as Record<string, unknown> | undefined)?.['cc-type'] },
  ],
};

/** What a search usefully matches, per collection (it matches any field of the decrypted record). */
const SEARCH_HINTS: Record<string, string> = { bookmarks: 'title or URL', history: 'title or URL', passwords: 'site or username', forms: 'field or value' };

/** History visits carry their date in microseconds since the epoch. */
function lastVisit(visits: unknown): string | undefined {
  if (!Array.isArray(visits)) return undefined;
  const dates = visits.map((visit) => (visit as { date?: unknown } | null)?.date).filter((date): date is number => typeof date === 'number' && Number.isFinite(date));
  if (dates.length === 0) return undefined;
  return formatDateTime(new Date(Math.max(...dates) / 1000).toISOString());
}

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The one password shown in clear, if any: revealing another hides it. */
interface Revealed {
  id: string;
  password: string;
}

function PasswordCell({ record, revealed, onReveal, onHide }: { record: SnapshotRecord; revealed: Revealed | undefined; onReveal: (id: string) => void; onHide: () => void }) {
  const shown = revealed?.id === record.id;
  return (
    <td data-label="Password" className="break password-cell">
      <span className={shown ? 'password-clear' : undefined}>{shown ? revealed.password : show(record.cleartext?.['password'])}</span>{' '}
      {typeof record.cleartext?.['password'] === 'string' && (
        <button type="button" className="button button-secondary button-small" aria-label={`${shown ? 'Hide' : 'Reveal'} the password for ${show(record.cleartext['username'])} on ${show(record.cleartext['hostname'])}`} onClick={() => (shown ? onHide() : onReveal(record.id))}>
          {shown ? 'Hide' : 'Reveal'}
        </button>
      )}
    </td>
  );
}

/** Bookmark roots come back with the whole collection, not one by one. */
const BOOKMARK_ROOTS = new Set(['places', 'menu', 'toolbar', 'unfiled', 'mobile']);

/** The restore one record of the collection can have, with the words that name it; undefined for none. */
function recordRestore(collection: string, seq: number, record: SnapshotRecord): { request: RestoreRequest; label: string; what: string } | undefined {
  const cleartext = record.cleartext;
  if (cleartext === null || cleartext['deleted'] === true) return undefined;
  if (collection === 'passwords') {
    const label = [cleartext['hostname'], cleartext['username']].filter((part) => typeof part === 'string' && part !== '').join(' · ');
    return { request: { from: seq, kind: 'password', id: record.id }, label, what: `the login ${label || record.id}` };
  }
  if (collection === 'bookmarks' && !BOOKMARK_ROOTS.has(record.id)) {
    const folder = cleartext['type'] === 'folder';
    const label = typeof cleartext['title'] === 'string' && cleartext['title'] !== '' ? cleartext['title'] : String(cleartext['type'] ?? record.id);
    return { request: { from: seq, kind: folder ? 'folder' : 'bookmark', id: record.id }, label, what: folder ? `the folder “${label}” with everything in it` : `“${label}”` };
  }
  return undefined;
}

/** Collections whose records restore one at a time (the rest restore as a whole). */
const RECORD_RESTORES = new Set(['passwords', 'bookmarks']);

function RecordRows({
  account,
  seq,
  collection,
  records,
  revealed,
  onReveal,
  onHide,
}: {
  account: string;
  seq: number;
  collection: string;
  records: SnapshotRecord[];
  revealed?: Revealed | undefined;
  onReveal?: (id: string) => void;
  onHide?: () => void;
}) {
  const columns = COLUMNS[collection];
  const restores = RECORD_RESTORES.has(collection);
  return (
    <div className="table-wrap" role="region" aria-label={`${collection} records`} tabIndex={0}>
      <table className="table table-stack records">
        <thead>
          <tr>
            {columns !== undefined ? columns.map((column) => <th key={column.label} scope="col">{column.label}</th>) : <th scope="col">Record</th>}
            <th scope="col">Modified</th>
            {restores && (
              <th scope="col">
                <span className="visually-hidden">Restore</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {records.map((record) => (
            <tr key={record.id} data-record-id={record.id}>
              {record.cleartext === null ? (
                <td data-label="Record" colSpan={columns?.length ?? 1} className="error-text">
                  {record.id}: {record.error ?? 'does not decrypt'}
                </td>
              ) : record.cleartext['deleted'] === true ? (
                <td data-label="Record" colSpan={columns?.length ?? 1} className="muted">
                  Deleted on another device (record {record.id})
                </td>
              ) : columns !== undefined ? (
                columns.map((column) =>
                  collection === 'passwords' && column.label === 'Password' && onReveal !== undefined && onHide !== undefined ? (
                    <PasswordCell key={column.label} record={record} revealed={revealed} onReveal={onReveal} onHide={onHide} />
                  ) : (
                    <td key={column.label} data-label={column.label} className="break">
                      {show(column.value(record.cleartext!))}
                    </td>
                  ),
                )
              ) : (
                <td data-label="Record" className="break json">
                  {JSON.stringify(record.cleartext)}
                </td>
              )}
              <td data-label="Modified">{formatDateTime(new Date(record.modified * (record.modified < 1e11 ? 1000 : 1)).toISOString())}</td>
              {restores && <RestoreCell account={account} seq={seq} collection={collection} record={record} />}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RestoreCell({ account, seq, collection, record }: { account: string; seq: number; collection: string; record: SnapshotRecord }) {
  const restore = recordRestore(collection, seq, record);
  return (
    <td data-label="Restore">
      {restore === undefined ? (
        <span className="muted">—</span>
      ) : (
        <Link className="button button-secondary button-small" href={restoreHref(account, restore.request, restore.label)} aria-label={`Restore ${restore.what}…`}>
          Restore…
        </Link>
      )}
    </td>
  );
}

/** Restoring the whole collection as this snapshot has it. */
function CollectionRestoreLink({ account, seq, collection }: { account: string; seq: number; collection: string }) {
  if (!isRestorable(collection)) return null;
  return (
    <Link className="button button-secondary" href={restoreHref(account, { from: seq, kind: 'collection', collection })} aria-label={`Restore all of ${collection} to this snapshot…`}>
      Restore collection…
    </Link>
  );
}

/** The files each collection exports as (the daemon's export formats), the usual one first. */
const EXPORTS: Record<string, Array<{ format: string; label: string }>> = {
  bookmarks: [
    { format: 'html', label: 'Bookmarks HTML (Firefox, Chrome, Edge, Safari)' },
    { format: 'json', label: 'Firefox backup (JSON)' },
    { format: 'jsonlz4', label: 'Firefox backup (.jsonlz4, for Library → Restore)' },
    { format: 'records', label: 'Decrypted records (JSON)' },
  ],
  passwords: [
    { format: 'csv', label: 'Firefox logins CSV' },
    { format: 'bitwarden-csv', label: 'Bitwarden CSV' },
    { format: 'json', label: 'Decrypted records (JSON)' },
  ],
  history: [
    { format: 'csv', label: 'CSV, one row per visit' },
    { format: 'json', label: 'JSON, pages with their visits' },
    { format: 'records', label: 'Decrypted records (JSON)' },
  ],
};
const RECORDS_EXPORT = [{ format: 'json', label: 'Decrypted records (JSON)' }];

/** Download links for the collection's export files; they hold decrypted data, passwords included. */
function ExportMenu({ account, seq, collection }: { account: string; seq: number; collection: string }) {
  return (
    <details className="export-menu">
      <summary className="button button-secondary">Export</summary>
      <div className="export-options">
        <p className="hint">Decrypted{collection === 'passwords' ? ', passwords in clear' : ''}: keep the file safe.</p>
        <ul aria-label={`Export ${collection} as`}>
          {(EXPORTS[collection] ?? RECORDS_EXPORT).map(({ format, label }) => (
            <li key={format}>
              <a href={exportUrl(account, seq, collection, format)} download>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </div>
    </details>
  );
}

type BookmarkView = 'tree' | 'records';

function BookmarkViewSwitch({ view, onChange }: { view: BookmarkView; onChange: (view: BookmarkView) => void }) {
  return (
    <div className="view-switch" role="group" aria-label="Show bookmarks as">
      <button type="button" className="tab" aria-pressed={view === 'tree'} onClick={() => onChange('tree')}>
        Folders
      </button>
      <button type="button" className="tab" aria-pressed={view === 'records'} onClick={() => onChange('records')}>
        All records
      </button>
    </div>
  );
}

function BookmarkTreePanel({ account, seq, onViewChange }: { account: string; seq: number; onViewChange: (view: BookmarkView) => void }) {
  return (
    <section className="panel" aria-labelledby="collection-title">
      <div className="panel-head">
        <h2 id="collection-title">bookmarks</h2>
        <BookmarkViewSwitch view="tree" onChange={onViewChange} />
        <ExportMenu account={account} seq={seq} collection="bookmarks" />
        <CollectionRestoreLink account={account} seq={seq} collection="bookmarks" />
      </div>
      <BookmarkTreeView account={account} seq={seq} />
    </section>
  );
}

function CollectionView({ account, seq, collection, onViewChange }: { account: string; seq: number; collection: string; onViewChange: (view: BookmarkView) => void }) {
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    setSearch('');
    setQuery('');
    setOffset(0);
  }, [collection]);
  const contents = useApi(() => api.collection(account, seq, collection, { offset, limit: PAGE_SIZE, search: query }), `${account}:${seq}:${collection}:${query}:${offset}`);

  const [revealed, setRevealed] = useState<Revealed | undefined>(undefined);
  const [revealError, setRevealError] = useState<string | undefined>(undefined);
  useEffect(() => setRevealed(undefined), [collection, query, offset]);

  async function reveal(id: string) {
    setRevealed(undefined);
    setRevealError(undefined);
    try {
      const record = await api.record(account, seq, collection, id, { reveal: true });
      const password = record.cleartext?.['password'];
      if (typeof password === 'string') setRevealed({ id, password });
    } catch (error) {
      setRevealError(describeError(error));
    }
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setOffset(0);
    setQuery(search.trim());
  }

  const data = contents.data;
  return (
    <section className="panel" aria-labelledby="collection-title">
      <div className="panel-head">
        <h2 id="collection-title">{collection}</h2>
        {collection === 'bookmarks' && <BookmarkViewSwitch view="records" onChange={onViewChange} />}
        <ExportMenu account={account} seq={seq} collection={collection} />
        <CollectionRestoreLink account={account} seq={seq} collection={collection} />
        <form className="search" role="search" onSubmit={submit}>
          <label htmlFor="record-search" className="visually-hidden">
            Search {collection}
          </label>
          <input id="record-search" type="search" placeholder={`Search ${collection}${SEARCH_HINTS[collection] === undefined ? '' : ` by ${SEARCH_HINTS[collection]}`}`} value={search} onChange={(event) => setSearch(event.target.value)} />
          <button type="submit" className="button button-secondary">
            Search
          </button>
        </form>
      </div>
      {collection === 'passwords' && <p className="hint">Passwords stay masked; reveal one at a time (each reveal is logged by the daemon).</p>}
      {collection === 'creditcards' && <p className="hint">Card numbers stay masked here.</p>}
      {revealError !== undefined && <ErrorState title="Could not reveal the password." message={revealError} />}
      {data === undefined && contents.error === undefined && <Loading what={collection} />}
      {contents.error !== undefined && <ErrorState title={`Could not read ${collection}.`} message={contents.error} onRetry={contents.reload} />}
      {data !== undefined && data.records.length === 0 && <Empty title={query === '' ? 'No record in this collection.' : `Nothing matches “${query}”.`} />}
      {data !== undefined && data.records.length > 0 && (
        <>
          <p className="muted" aria-live="polite">
            {query === '' ? '' : `Matching “${query}”: `}
            {formatCount(data.offset + 1)}–{formatCount(data.offset + data.records.length)} of {formatCount(data.total)}
          </p>
          <RecordRows account={account} seq={seq} collection={collection} records={data.records} revealed={revealed} onReveal={(id) => void reveal(id)} onHide={() => setRevealed(undefined)} />
          <div className="actions pager">
            <button type="button" className="button button-secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
              Newer
            </button>
            <button type="button" className="button button-secondary" disabled={data.offset + data.records.length >= data.total} onClick={() => setOffset(offset + PAGE_SIZE)}>
              Older
            </button>
          </div>
        </>
      )}
    </section>
  );
}

/** One complete snapshot's collections, decrypted, a page at a time, with search. */
export function SnapshotBrowser({ account, seq }: { account: string; seq: number }) {
  const snapshot = useApi(() => api.snapshot(account, seq), `${account}:${seq}`);
  const [collection, setCollection] = useState<string | undefined>(undefined);
  const [bookmarkView, setBookmarkView] = useState<BookmarkView>('tree');
  const names = snapshot.data === undefined ? [] : Object.keys(snapshot.data.collections).filter((name) => name !== 'crypto' && name !== 'meta').sort();
  const selected = collection ?? (names.includes('bookmarks') ? 'bookmarks' : names[0]);

  return (
    <div className="page">
      <p className="breadcrumbs">
        <Link href="/accounts">Accounts</Link> / <Link href={`/accounts/${encodeURIComponent(account)}`}>{account}</Link> /
      </p>
      <h1>Snapshot #{seq}</h1>
      {snapshot.data === undefined && snapshot.error === undefined && <Loading what="the snapshot" />}
      {snapshot.error !== undefined && <ErrorState title="Could not load the snapshot." message={snapshot.error} onRetry={snapshot.reload} />}
      {snapshot.data !== undefined && snapshot.data.status !== 'complete' && (
        <ErrorState title="This snapshot cannot be browsed." message={snapshot.data.status === 'running' ? 'It is still running.' : `It failed: ${snapshot.data.error ?? 'no reason given'}`} />
      )}
      {snapshot.data !== undefined && snapshot.data.status === 'complete' && selected !== undefined && (
        <>
          <p className="lede">
            Taken {formatDateTime(snapshot.data.finishedAt ?? snapshot.data.startedAt)}, as the server had it then.{' '}
            <Link href={restoreHref(account, { from: seq, kind: 'all' })}>Restore everything from this snapshot…</Link>
          </p>
          <nav aria-label="Collections" className="tabs">
            <ul>
              {names.map((name) => (
                <li key={name}>
                  <button type="button" className="tab" aria-pressed={name === selected} onClick={() => setCollection(name)}>
                    {name} <span className="muted">{formatCount(snapshot.data!.collections[name]?.count ?? 0)}</span>
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          {selected === 'bookmarks' && bookmarkView === 'tree' ? (
            <BookmarkTreePanel account={account} seq={seq} onViewChange={setBookmarkView} />
          ) : (
            <CollectionView account={account} seq={seq} collection={selected} onViewChange={setBookmarkView} />
          )}
        </>
      )}
    </div>
  );
}
