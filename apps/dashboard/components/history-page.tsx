'use client';

import Link from 'next/link';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api, ApiError } from '../lib/api';
import { formatCount, formatDateTime } from '../lib/format';
import { historyHref, pointWords, type DiffPoint, type HistoryQuery } from '../lib/history';
import { isRestorable, restoreHref } from '../lib/restore';
import type {
  BookmarkEntry,
  BookmarkPlace,
  BookmarksDiff,
  CollectionChanges,
  FieldChange,
  FieldsDiff,
  FoundRecord,
  HistoryDiff,
  PasswordsDiff,
  RestoreRequest,
  SemanticDiff,
  SnapshotRecord,
  UnreadableRecord,
} from '../lib/types';
import { useApi } from '../lib/use-api';
import { ComparePicker, defaultPoints, takeFocusRequest, VanishedSearch } from './history-forms';
import { Empty, ErrorState, Loading } from './states';

type ChangeKind = keyof CollectionChanges;

const CHANGE_WORDS: Record<ChangeKind, { sign: string; word: string }> = {
  added: { sign: '+', word: 'added' },
  removed: { sign: '−', word: 'removed' },
  changed: { sign: '~', word: 'changed' },
  tombstoned: { sign: '×', word: 'deleted on a device' },
};
const CHANGE_KINDS: ChangeKind[] = ['added', 'removed', 'changed', 'tombstoned'];

/** Items listed per group before "Show all". */
const LIST_LIMIT = 50;

function changeCount(changes: CollectionChanges): number {
  return CHANGE_KINDS.reduce((sum, kind) => sum + changes[kind].length, 0);
}

function ChangeChips({ changes }: { changes: CollectionChanges }) {
  return (
    <span className="diff-chips">
      {CHANGE_KINDS.filter((kind) => changes[kind].length > 0).map((kind) => (
        <span key={kind} className={`diff-chip diff-${kind}`} data-change={kind}>
          {CHANGE_WORDS[kind].sign}
          {formatCount(changes[kind].length)} {CHANGE_WORDS[kind].word}
        </span>
      ))}
    </span>
  );
}

function Legend() {
  return (
    <p className="diff-legend">
      <span className="muted">Key:</span>
      <span className="diff-chip diff-added">+ added</span> <span className="diff-chip diff-removed">− removed from the server</span> <span className="diff-chip diff-changed">~ changed</span>{' '}
      <span className="diff-chip diff-tombstoned">× deleted on a device</span>
    </p>
  );
}

/** A list that shows its first items and the rest on request. */
function Limited<T>({ items, render, what }: { items: T[]; render: (item: T) => ReactNode; what: string }) {
  const [all, setAll] = useState(false);
  const shown = all ? items : items.slice(0, LIST_LIMIT);
  return (
    <>
      <ul className="diff-list">{shown.map(render)}</ul>
      {items.length > shown.length && (
        <button type="button" className="button button-secondary button-small" onClick={() => setAll(true)}>
          Show all {formatCount(items.length)} {what}
        </button>
      )}
    </>
  );
}

function Group({ title, tone, count, children }: { title: string; tone: ChangeKind | 'neutral' | 'other'; count: number; children: ReactNode }) {
  if (count === 0) return null;
  return (
    <div className={`diff-group diff-group-${tone}`}>
      <h4>
        {title} <span className="muted">{formatCount(count)}</span>
      </h4>
      {children}
    </div>
  );
}

function pathWords(place: BookmarkPlace): string {
  if (place.path === null) return 'in no folder it could place';
  if (place.path.length === 0) return 'at the top';
  return `in ${place.path.join(' › ')}${place.index !== undefined ? `, position ${place.index + 1}` : ''}`;
}

function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (value === null || value === '') return '(empty)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function FieldChanges({ changes }: { changes: FieldChange[] }) {
  if (changes.length === 0) return null;
  return (
    <div className="table-wrap">
      <table className="table table-stack field-changes">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={change.field}>
              <th scope="row" data-label="Field">
                <code>{change.field}</code>
              </th>
              <td data-label="Before" className="break diff-before">
                {change.secret === true && change.before === undefined ? <span className="muted">hidden</span> : show(change.before)}
              </td>
              <td data-label="After" className="break diff-after">
                {change.secret === true && change.after === undefined ? <span className="muted">hidden</span> : show(change.after)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One side of a record as a snapshot stored it (passwords masked), or why it has none. */
function RecordSide({ account, seq, collection, id }: { account: string; seq: number; collection: string; id: string }) {
  const loaded = useApi(
    () => api.record(account, seq, collection, id).catch((error: unknown) => (error instanceof ApiError && error.status === 404 ? null : Promise.reject(error))),
    `${account}:${seq}:${collection}:${id}`,
  );
  let body: ReactNode;
  if (loaded.error !== undefined) body = <ErrorState title="Could not read the record." message={loaded.error} onRetry={loaded.reload} />;
  else if (loaded.data === undefined) body = <Loading what="the record" />;
  else if (loaded.data === null) body = <p className="muted">Not in this snapshot.</p>;
  else body = <RecordJson record={loaded.data} />;
  return (
    <div className="record-side">
      <h5>Snapshot #{seq}</h5>
      {body}
    </div>
  );
}

function RecordJson({ record }: { record: SnapshotRecord }) {
  if (record.cleartext === null) return <p className="error-text">{record.error ?? 'Does not decrypt.'}</p>;
  return <pre className="json record-json">{JSON.stringify(record.cleartext, null, 2)}</pre>;
}

/** A record expanded: each snapshot side as stored, read when first opened. */
function RecordDetails({ account, collection, id, from, to }: { account: string; collection: string; id: string; from: number; to: DiffPoint }) {
  const [opened, setOpened] = useState(false);
  return (
    <details className="record-details" onToggle={(event) => setOpened(opened || event.currentTarget.open)}>
      <summary>Record {id}</summary>
      {opened && (
        <div className="record-sides">
          <RecordSide account={account} seq={from} collection={collection} id={id} />
          {to === 'live' ? (
            <div className="record-side">
              <h5>Live server</h5>
              <p className="muted">Read for the comparison, not stored: the changes above say what differs.</p>
            </div>
          ) : (
            <RecordSide account={account} seq={to} collection={collection} id={id} />
          )}
        </div>
      )}
    </details>
  );
}

interface DiffContext {
  account: string;
  collection: string;
  from: number;
  to: DiffPoint;
  changes: CollectionChanges;
}

function RestoreLink({ context, request, label, what }: { context: DiffContext; request: RestoreRequest; label: string; what: string }) {
  return (
    <Link className="button button-secondary button-small" href={restoreHref(context.account, request, label)} aria-label={`Restore ${what} from snapshot #${request.from}…`}>
      Restore…
    </Link>
  );
}

/** How a record went: a tombstone written by a device, or gone from the server. */
function goneWords(context: DiffContext, id: string): string {
  return context.changes.tombstoned.includes(id) ? 'deleted on a device' : 'gone from the server';
}

function BookmarkEntryItem({ entry, context, tone, top }: { entry: BookmarkEntry; context: DiffContext; tone: 'added' | 'removed'; top: boolean }) {
  const folder = entry.type === 'folder';
  const label = entry.title === '' ? `(untitled ${entry.type})` : entry.title;
  const restorable = tone === 'removed' && top;
  return (
    <li className={`diff-entry diff-${tone}`} data-diff-id={entry.id}>
      <div className="diff-entry-line">
        <span className="diff-entry-what">
          <span className="diff-type">{entry.type}</span> <strong className="break">{label}</strong>
          {entry.url !== undefined && <span className="muted break"> {entry.url}</span>}
          <span className="muted diff-where">
            {' '}
            {pathWords(entry.place)}
            {tone === 'removed' && top ? ` · ${goneWords(context, entry.id)}` : ''}
          </span>
        </span>
        {restorable && <RestoreLink context={context} request={{ from: context.from, kind: folder ? 'folder' : 'bookmark', id: entry.id }} label={label} what={folder ? `the folder “${label}” with everything in it` : `“${label}”`} />}
      </div>
      {top && <RecordDetails account={context.account} collection="bookmarks" id={entry.id} from={context.from} to={context.to} />}
      {entry.children !== undefined && entry.children.length > 0 && (
        <ul className="diff-children" aria-label={`In ${label}`}>
          {entry.children.map((child) => (
            <BookmarkEntryItem key={child.id} entry={child} context={context} tone={tone} top={false} />
          ))}
        </ul>
      )}
    </li>
  );
}

function Unreadable({ records }: { records: UnreadableRecord[] }) {
  return (
    <Group title="Could not be read" tone="neutral" count={records.length}>
      <ul className="diff-list">
        {records.map((record) => (
          <li key={`${record.side}:${record.id}`} className="diff-entry">
            <code>{record.id}</code> ({record.side === 'from' ? 'before' : 'after'}): <span className="error-text">{record.error}</span>
          </li>
        ))}
      </ul>
    </Group>
  );
}

function BookmarksView({ diff, context }: { diff: BookmarksDiff; context: DiffContext }) {
  const details = (id: string) => <RecordDetails account={context.account} collection="bookmarks" id={id} from={context.from} to={context.to} />;
  return (
    <>
      <Group title="Deleted" tone="removed" count={diff.deleted.length}>
        <Limited items={diff.deleted} what="deleted items" render={(entry) => <BookmarkEntryItem key={entry.id} entry={entry} context={context} tone="removed" top />} />
      </Group>
      <Group title="Added" tone="added" count={diff.added.length}>
        <Limited items={diff.added} what="added items" render={(entry) => <BookmarkEntryItem key={entry.id} entry={entry} context={context} tone="added" top />} />
      </Group>
      <Group title="Renamed" tone="changed" count={diff.renamed.length}>
        <Limited
          items={diff.renamed}
          what="renamed items"
          render={(item) => (
            <li key={item.id} className="diff-entry diff-changed" data-diff-id={item.id}>
              <span className="diff-type">{item.type}</span> <span className="diff-before">“{item.before}”</span> → <strong className="diff-after">“{item.after}”</strong> <span className="muted">{pathWords(item.place)}</span>
              {details(item.id)}
            </li>
          )}
        />
      </Group>
      <Group title="Address changed" tone="changed" count={diff.urlChanged.length}>
        <Limited
          items={diff.urlChanged}
          what="changed addresses"
          render={(item) => (
            <li key={item.id} className="diff-entry diff-changed" data-diff-id={item.id}>
              <strong>{item.title}</strong>: <span className="diff-before break">{item.before ?? '(none)'}</span> → <span className="diff-after break">{item.after ?? '(none)'}</span>
              {details(item.id)}
            </li>
          )}
        />
      </Group>
      <Group title="Moved" tone="changed" count={diff.moved.length}>
        <Limited
          items={diff.moved}
          what="moved items"
          render={(item) => (
            <li key={item.id} className="diff-entry diff-changed" data-diff-id={item.id}>
              <span className="diff-type">{item.type}</span> <strong>{item.title}</strong>: from {pathWords(item.from).replace(/^in /, '')} to {pathWords(item.to).replace(/^in /, '')}
              {details(item.id)}
            </li>
          )}
        />
      </Group>
      <Group title="Reordered" tone="changed" count={diff.reordered.length}>
        <Limited
          items={diff.reordered}
          what="reordered folders"
          render={(item) => (
            <li key={item.id} className="diff-entry diff-changed" data-diff-id={item.id}>
              Folder <strong>{item.title}</strong> <span className="muted">{pathWords(item.place)}</span>: {formatCount(item.after.length)} items in another order
              {details(item.id)}
            </li>
          )}
        />
      </Group>
      <Group title="Other changes" tone="changed" count={diff.otherChanges.length}>
        <Limited
          items={diff.otherChanges}
          what="changed items"
          render={(item) => (
            <li key={item.id} className="diff-entry diff-changed" data-diff-id={item.id}>
              <span className="diff-type">{item.type}</span> <strong>{item.title}</strong> <span className="muted">{pathWords(item.place)}</span>
              <FieldChanges changes={item.changes} />
              {details(item.id)}
            </li>
          )}
        />
      </Group>
      <Unreadable records={diff.unreadable} />
    </>
  );
}

function loginLabel(login: { id: string; hostname: string | null; username: string | null }): string {
  return [login.hostname, login.username].filter((part): part is string => part !== null && part !== '').join(' · ') || login.id;
}

function PasswordsView({ diff, context }: { diff: PasswordsDiff; context: DiffContext }) {
  const details = (id: string) => <RecordDetails account={context.account} collection="passwords" id={id} from={context.from} to={context.to} />;
  return (
    <>
      <p className="hint">Password values are never shown here; expand a record to see it as stored, its password masked.</p>
      <Group title="Removed" tone="removed" count={diff.removed.length}>
        <Limited
          items={diff.removed}
          what="removed logins"
          render={(login) => (
            <li key={login.id} className="diff-entry diff-removed" data-diff-id={login.id}>
              <div className="diff-entry-line">
                <span>
                  <strong className="break">{loginLabel(login)}</strong> <span className="muted">· {login.tombstone ? 'deleted on a device' : 'gone from the server'}</span>
                </span>
                <RestoreLink context={context} request={{ from: context.from, kind: 'password', id: login.id }} label={loginLabel(login)} what={`the login ${loginLabel(login)}`} />
              </div>
              {details(login.id)}
            </li>
          )}
        />
      </Group>
      <Group title="Added" tone="added" count={diff.added.length}>
        <Limited
          items={diff.added}
          what="added logins"
          render={(login) => (
            <li key={login.id} className="diff-entry diff-added" data-diff-id={login.id}>
              <strong className="break">{loginLabel(login)}</strong>
              {details(login.id)}
            </li>
          )}
        />
      </Group>
      <Group title="Changed" tone="changed" count={diff.changed.length}>
        <Limited
          items={diff.changed}
          what="changed logins"
          render={(login) => (
            <li key={login.id} className="diff-entry diff-changed" data-diff-id={login.id}>
              <div className="diff-entry-line">
                <span>
                  <strong className="break">{loginLabel(login)}</strong> <span className="muted">· changed: {login.fields.join(', ')}</span>
                </span>
                <RestoreLink context={context} request={{ from: context.from, kind: 'password', id: login.id }} label={loginLabel(login)} what={`the login ${loginLabel(login)} as it was`} />
              </div>
              <FieldChanges changes={login.changes} />
              {details(login.id)}
            </li>
          )}
        />
      </Group>
      <Unreadable records={diff.unreadable} />
    </>
  );
}

function visitsWords(count: number): string {
  return `${formatCount(count)} ${count === 1 ? 'visit' : 'visits'}`;
}

function HistoryView({ diff, context }: { diff: HistoryDiff; context: DiffContext }) {
  const details = (id: string) => <RecordDetails account={context.account} collection="history" id={id} from={context.from} to={context.to} />;
  const page = (item: { id: string; title: string | null; url: string | null }) => (
    <>
      <strong className="break">{item.title ?? item.url ?? item.id}</strong>
      {item.title !== null && item.url !== null && <span className="muted break"> {item.url}</span>}
    </>
  );
  return (
    <>
      <Group title="Pages removed" tone="removed" count={diff.removed.length}>
        <Limited
          items={diff.removed}
          what="removed pages"
          render={(item) => (
            <li key={item.id} className="diff-entry diff-removed" data-diff-id={item.id}>
              {page(item)} <span className="muted">· {visitsWords(item.visits)} · {item.tombstone ? 'deleted on a device' : 'gone from the server'}</span>
              {details(item.id)}
            </li>
          )}
        />
      </Group>
      <Group title="Pages added" tone="added" count={diff.added.length}>
        <Limited
          items={diff.added}
          what="added pages"
          render={(item) => (
            <li key={item.id} className="diff-entry diff-added" data-diff-id={item.id}>
              {page(item)} <span className="muted">· {visitsWords(item.visits)}</span>
              {details(item.id)}
            </li>
          )}
        />
      </Group>
      <Group title="Pages with visits or title changed" tone="changed" count={diff.changed.length}>
        <Limited
          items={diff.changed}
          what="changed pages"
          render={(item) => (
            <li key={item.id} className="diff-entry diff-changed" data-diff-id={item.id}>
              {page(item)}{' '}
              <span className="muted">
                · {item.visitsAdded.length > 0 && <span className="diff-after">+{visitsWords(item.visitsAdded.length)}</span>}
                {item.visitsAdded.length > 0 && item.visitsRemoved.length > 0 && ', '}
                {item.visitsRemoved.length > 0 && <span className="diff-before">−{visitsWords(item.visitsRemoved.length)}</span>}
                {item.titleBefore !== undefined && ` · title was “${item.titleBefore ?? ''}”`}
                {item.urlBefore !== undefined && ` · address was ${item.urlBefore ?? '(none)'}`}
              </span>
              {details(item.id)}
            </li>
          )}
        />
      </Group>
      <Unreadable records={diff.unreadable} />
    </>
  );
}

function FieldsView({ diff, context }: { diff: FieldsDiff; context: DiffContext }) {
  const details = (id: string) => <RecordDetails account={context.account} collection={context.collection} id={id} from={context.from} to={context.to} />;
  return (
    <>
      <Group title="Removed" tone="removed" count={diff.removed.length}>
        <Limited
          items={diff.removed}
          what="removed records"
          render={(item) => (
            <li key={item.id} className="diff-entry diff-removed" data-diff-id={item.id}>
              <strong className="break">{item.label ?? item.id}</strong> <span className="muted">· {item.tombstone ? 'deleted on a device' : 'gone from the server'}</span>
              {details(item.id)}
            </li>
          )}
        />
      </Group>
      <Group title="Added" tone="added" count={diff.added.length}>
        <Limited
          items={diff.added}
          what="added records"
          render={(item) => (
            <li key={item.id} className="diff-entry diff-added" data-diff-id={item.id}>
              <strong className="break">{item.label ?? item.id}</strong>
              {details(item.id)}
            </li>
          )}
        />
      </Group>
      <Group title="Changed" tone="changed" count={diff.changed.length}>
        <Limited
          items={diff.changed}
          what="changed records"
          render={(item) => (
            <li key={item.id} className="diff-entry diff-changed" data-diff-id={item.id}>
              <strong className="break">{item.label ?? item.id}</strong>
              <FieldChanges changes={item.changes} />
              {details(item.id)}
            </li>
          )}
        />
      </Group>
      <Unreadable records={diff.unreadable} />
    </>
  );
}

/** Every record id the semantic view names (a deleted folder's contents included). */
function namedIds(semantic: SemanticDiff | undefined): Set<string> {
  const ids = new Set<string>();
  if (semantic === undefined) return ids;
  const add = (items: Array<{ id: string }>) => items.forEach((item) => ids.add(item.id));
  const addEntries = (entries: BookmarkEntry[]): void =>
    entries.forEach((entry) => {
      ids.add(entry.id);
      addEntries(entry.children ?? []);
    });
  add(semantic.unreadable);
  if (semantic.kind === 'bookmarks') {
    addEntries(semantic.added);
    addEntries(semantic.deleted);
    [semantic.renamed, semantic.urlChanged, semantic.moved, semantic.reordered, semantic.otherChanges].forEach(add);
  } else {
    [semantic.added, semantic.removed, semantic.changed].forEach(add);
  }
  return ids;
}

/**
 * Records that differ but that the view above does not name (a folder whose list of children
 * changed only because of a deletion shown above, say), so that any record can be expanded.
 */
function OtherRecords({ semantic, context }: { semantic: SemanticDiff | undefined; context: DiffContext }) {
  const named = namedIds(semantic);
  const others = CHANGE_KINDS.flatMap((kind) => context.changes[kind].filter((id) => !named.has(id)).map((id) => ({ id, kind })));
  return (
    <Group title={semantic === undefined ? 'Records' : 'Other records that differ'} tone="other" count={others.length}>
      <Limited
        items={others}
        what="records"
        render={(item) => (
          <li key={item.id} className={`diff-entry diff-${item.kind === 'tombstoned' ? 'removed' : item.kind}`} data-diff-id={item.id}>
            <code>{item.id}</code> <span className="muted">· {CHANGE_WORDS[item.kind].word}</span>
            <RecordDetails account={context.account} collection={context.collection} id={item.id} from={context.from} to={context.to} />
          </li>
        )}
      />
    </Group>
  );
}

function SemanticView({ semantic, context }: { semantic: SemanticDiff | undefined; context: DiffContext }) {
  return (
    <>
      <SemanticGroups semantic={semantic} context={context} />
      <OtherRecords semantic={semantic} context={context} />
    </>
  );
}

function SemanticGroups({ semantic, context }: { semantic: SemanticDiff | undefined; context: DiffContext }) {
  if (semantic === undefined) return null;
  switch (semantic.kind) {
    case 'bookmarks':
      return <BookmarksView diff={semantic} context={context} />;
    case 'passwords':
      return <PasswordsView diff={semantic} context={context} />;
    case 'history':
      return <HistoryView diff={semantic} context={context} />;
    default:
      return <FieldsView diff={semantic} context={context} />;
  }
}

function DiffView({ account, from, to }: { account: string; from: number; to: DiffPoint }) {
  const diff = useApi(() => api.diff(account, from, to), `${account}:${from}:${to}`);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (diff.data !== undefined && takeFocusRequest('diff')) heading.current?.focus();
  }, [diff.data]);

  const title = `Changes from snapshot #${from} to ${pointWords(to)}`;
  if (diff.error !== undefined) return <ErrorState title="Could not compare." message={diff.error} onRetry={diff.reload} />;
  if (diff.data === undefined) return <Loading what={`the changes from snapshot #${from} to ${pointWords(to)}`} />;
  const names = Object.keys(diff.data.collections).sort();
  const changed = names.filter((name) => changeCount(diff.data!.collections[name]!) > 0);
  const unchanged = names.filter((name) => !changed.includes(name));
  return (
    <div className="diff" data-diff-from={from} data-diff-to={to}>
      <h2 id="diff-title" ref={heading} tabIndex={-1}>
        {title}
      </h2>
      {changed.length === 0 ? (
        <Empty title="Nothing changed.">
          <p>Every collection holds the same records on both sides.</p>
        </Empty>
      ) : (
        <>
          <Legend />
          <ul className="diff-summary" aria-label="Collections that changed">
            {changed.map((name) => (
              <li key={name}>
                <a href={`#diff-${name}`}>{name}</a> <ChangeChips changes={diff.data!.collections[name]!} />
              </li>
            ))}
          </ul>
        </>
      )}
      {unchanged.length > 0 && <p className="muted">Unchanged: {unchanged.join(', ')}.</p>}
      {changed.map((name) => {
        const changes = diff.data!.collections[name]!;
        const context: DiffContext = { account, collection: name, from, to, changes };
        return (
          <section key={name} id={`diff-${name}`} className="panel diff-collection" aria-labelledby={`diff-${name}-title`} data-collection={name}>
            <div className="panel-head">
              <h3 id={`diff-${name}-title`}>
                {name} <ChangeChips changes={changes} />
              </h3>
              {isRestorable(name) && (
                <Link className="button button-secondary button-small" href={restoreHref(account, { from, kind: 'collection', collection: name })} aria-label={`Restore all of ${name} to snapshot #${from}…`}>
                  Restore {name} to #{from}…
                </Link>
              )}
            </div>
            <SemanticView semantic={diff.data!.semantic[name]} context={context} />
          </section>
        );
      })}
    </div>
  );
}

const GONE_WORDS: Record<NonNullable<FoundRecord['gone']>['how'], string> = {
  deleted: 'deleted on a device',
  removed: 'gone from the server',
  changed: 'changed, no longer matching',
};

function foundRestore(match: FoundRecord): { request: RestoreRequest; what: string } | undefined {
  const label = match.title ?? match.url ?? match.id;
  if (match.collection === 'passwords') return { request: { from: match.lastSeen.seq, kind: 'password', id: match.id }, what: `the login ${label}` };
  if (match.collection !== 'bookmarks') return undefined;
  // Folders have no address; everything else that is a bookmark item has one.
  const folder = match.url === null;
  return { request: { from: match.lastSeen.seq, kind: folder ? 'folder' : 'bookmark', id: match.id }, what: folder ? `the folder “${label}” with everything in it` : `“${label}”` };
}

function FindResults({ account, text }: { account: string; text: string }) {
  const found = useApi(() => api.find(account, text), `${account}:find:${text}`);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (found.data !== undefined && takeFocusRequest('find')) heading.current?.focus();
  }, [found.data]);
  if (found.error !== undefined) return <ErrorState title="Could not search the snapshots." message={found.error} onRetry={found.reload} />;
  if (found.data === undefined) return <Loading what={`every snapshot for “${text}”`} />;
  const { matches, total, snapshotsSearched } = found.data;
  return (
    <div className="found">
      <h3 ref={heading} tabIndex={-1}>
        {total === 0 ? `Nothing matched “${text}”` : `${formatCount(total)} ${total === 1 ? 'record' : 'records'} matched “${text}”`}{' '}
        <span className="muted">
          in {formatCount(snapshotsSearched)} {snapshotsSearched === 1 ? 'snapshot' : 'snapshots'}
        </span>
      </h3>
      {total === 0 && <p className="muted">Titles and addresses are searched (for other collections: names, sites, form values), never passwords.</p>}
      {total > matches.length && <p className="muted">The first {formatCount(matches.length)} are shown, the most recently vanished first.</p>}
      <ul className="found-list">
        {matches.map((match) => {
          const restore = foundRestore(match);
          const label = match.title ?? match.url ?? match.id;
          return (
            <li key={`${match.collection}:${match.id}`} className={`found-item ${match.gone === null ? 'found-present' : 'found-gone'}`} data-found-id={match.id}>
              <div className="diff-entry-line">
                <span>
                  <span className="diff-type">{match.collection}</span> <strong className="break">{label}</strong>
                  {match.title !== null && match.url !== null && <span className="muted break"> {match.url}</span>}
                </span>
                {match.gone !== null && restore !== undefined && (
                  <Link className="button button-secondary button-small" href={restoreHref(account, restore.request, label)} aria-label={`Restore ${restore.what} from snapshot #${match.lastSeen.seq}…`}>
                    Restore…
                  </Link>
                )}
              </div>
              {match.path !== undefined && <p className="muted found-path">{match.path === null ? 'In no folder' : `In ${match.path.join(' › ')}`}</p>}
              <dl className="found-facts">
                <div>
                  <dt>First seen</dt>
                  <dd>
                    #{match.firstSeen.seq}, {formatDateTime(match.firstSeen.at)}
                  </dd>
                </div>
                <div>
                  <dt>Last seen</dt>
                  <dd data-last-seen={match.lastSeen.seq}>
                    #{match.lastSeen.seq}, {formatDateTime(match.lastSeen.at)}
                  </dd>
                </div>
                <div>
                  <dt>{match.gone === null ? 'Now' : 'First missing'}</dt>
                  <dd data-gone={match.gone?.seq ?? 'present'}>
                    {match.gone === null ? (
                      'still in the newest snapshot'
                    ) : (
                      <>
                        #{match.gone.seq}, {formatDateTime(match.gone.at)}: {GONE_WORDS[match.gone.how]} ·{' '}
                        <Link href={historyHref(account, { from: match.lastSeen.seq, to: match.gone.seq, find: text })}>
                          what changed #{match.lastSeen.seq} → #{match.gone.seq}
                        </Link>
                      </>
                    )}
                  </dd>
                </div>
              </dl>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/**
 * The account's history: what changed between two points of its timeline (two snapshots, or a
 * snapshot and the live server), collection by collection in words, with a way back for what was
 * deleted; and "when did it vanish?" across every snapshot.
 */
export function HistoryPage({ account, query }: { account: string; query: HistoryQuery }) {
  const snapshots = useApi(() => api.snapshots(account, { status: 'complete', limit: 200 }), `history:${account}`);
  const points = query.from !== undefined && query.to !== undefined ? { from: query.from, to: query.to } : undefined;

  return (
    <div className="page history-page">
      <p className="breadcrumbs">
        <Link href="/accounts">Accounts</Link> / <Link href={`/accounts/${encodeURIComponent(account)}`}>{account}</Link> /
      </p>
      <h1>History</h1>
      <p className="lede">What changed between two points of {account}’s timeline, and when something vanished; restore what was lost from there.</p>

      <section className="panel" aria-labelledby="compare-title">
        <h2 id="compare-title">Compare</h2>
        {snapshots.error !== undefined && <ErrorState title="Could not load the snapshots." message={snapshots.error} onRetry={snapshots.reload} />}
        {snapshots.data === undefined && snapshots.error === undefined && <Loading what="snapshots" />}
        {snapshots.data !== undefined && <ComparePicker key={`${query.from}:${query.to}`} account={account} snapshots={snapshots.data} query={query} />}
      </section>

      {points !== undefined && (
        <section className="diff-results" aria-label="Changes">
          <DiffView account={account} from={points.from} to={points.to} />
        </section>
      )}
      {points === undefined && snapshots.data !== undefined && defaultPoints(snapshots.data) !== undefined && <p className="muted">Pick two points and “Show changes”.</p>}

      <section className="panel" aria-labelledby="vanished-title">
        <h2 id="vanished-title">When did it vanish?</h2>
        <p className="hint">Looks for a title or address in every snapshot: when it was last there, when it was first missing, and in which folder.</p>
        <VanishedSearch key={query.find ?? ''} account={account} query={query} />
        {query.find !== undefined && <FindResults account={account} text={query.find} />}
      </section>
    </div>
  );
}
