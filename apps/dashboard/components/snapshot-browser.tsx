'use client';

import Link from 'next/link';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../lib/api';
import { formatCount, formatDateTime } from '../lib/format';
import type { SnapshotRecord } from '../lib/types';
import { useApi } from '../lib/use-api';
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

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function RecordRows({ collection, records }: { collection: string; records: SnapshotRecord[] }) {
  const columns = COLUMNS[collection];
  return (
    <div className="table-wrap" role="region" aria-label={`${collection} records`} tabIndex={0}>
      <table className="table table-stack records">
        <thead>
          <tr>
            {columns !== undefined ? columns.map((column) => <th key={column.label} scope="col">{column.label}</th>) : <th scope="col">Record</th>}
            <th scope="col">Modified</th>
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
                columns.map((column) => (
                  <td key={column.label} data-label={column.label} className="break">
                    {show(column.value(record.cleartext!))}
                  </td>
                ))
              ) : (
                <td data-label="Record" className="break json">
                  {JSON.stringify(record.cleartext)}
                </td>
              )}
              <td data-label="Modified">{formatDateTime(new Date(record.modified * (record.modified < 1e11 ? 1000 : 1)).toISOString())}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CollectionView({ account, seq, collection }: { account: string; seq: number; collection: string }) {
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    setSearch('');
    setQuery('');
    setOffset(0);
  }, [collection]);
  const contents = useApi(() => api.collection(account, seq, collection, { offset, limit: PAGE_SIZE, search: query }), `${account}:${seq}:${collection}:${query}:${offset}`);

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
        <form className="search" role="search" onSubmit={submit}>
          <label htmlFor="record-search" className="visually-hidden">
            Search {collection}
          </label>
          <input id="record-search" type="search" placeholder={`Search ${collection}`} value={search} onChange={(event) => setSearch(event.target.value)} />
          <button type="submit" className="button button-secondary">
            Search
          </button>
        </form>
      </div>
      {collection === 'passwords' || collection === 'creditcards' ? <p className="hint">Passwords and card numbers stay masked here.</p> : null}
      {data === undefined && contents.error === undefined && <Loading what={collection} />}
      {contents.error !== undefined && <ErrorState title={`Could not read ${collection}.`} message={contents.error} onRetry={contents.reload} />}
      {data !== undefined && data.records.length === 0 && <Empty title={query === '' ? 'No record in this collection.' : `Nothing matches “${query}”.`} />}
      {data !== undefined && data.records.length > 0 && (
        <>
          <p className="muted" aria-live="polite">
            {query === '' ? '' : `Matching “${query}”: `}
            {formatCount(data.offset + 1)}–{formatCount(data.offset + data.records.length)} of {formatCount(data.total)}
          </p>
          <RecordRows collection={collection} records={data.records} />
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
            Taken {formatDateTime(snapshot.data.finishedAt ?? snapshot.data.startedAt)}, as the server had it then.
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
          <CollectionView account={account} seq={seq} collection={selected} />
        </>
      )}
    </div>
  );
}
