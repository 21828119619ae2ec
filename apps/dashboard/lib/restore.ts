/** Links into the restore page, and what they ask for, as the snapshot browser and the diff make them. */
import type { PlannedReason, RestoreKind, RestoreRequest } from './types';

/** The collections a restore may write (the daemon's RESTORABLE_COLLECTIONS). */
export const RESTORABLE_COLLECTIONS = ['bookmarks', 'history', 'passwords', 'forms', 'prefs', 'addons', 'addresses', 'creditcards'] as const;

export function isRestorable(collection: string): boolean {
  return (RESTORABLE_COLLECTIONS as readonly string[]).includes(collection);
}

const KINDS: readonly RestoreKind[] = ['bookmark', 'folder', 'deleted-bookmarks', 'password', 'collection', 'all'];

/** Bookmark restores can go back where they were or into a new folder. */
export function restoresBookmarks(kind: RestoreKind): boolean {
  return kind === 'bookmark' || kind === 'folder' || kind === 'deleted-bookmarks';
}

/** The restore page for `request`; `label` (a title, a site) names it on the page before the plan comes. */
export function restoreHref(account: string, request: RestoreRequest, label?: string): string {
  const query = new URLSearchParams({ from: String(request.from), kind: request.kind });
  if (request.id !== undefined) query.set('id', request.id);
  if (request.since !== undefined) query.set('since', String(request.since));
  if (request.collection !== undefined) query.set('collection', request.collection);
  if (label !== undefined && label !== '') query.set('label', label);
  return `/accounts/${encodeURIComponent(account)}/restore?${query.toString()}`;
}

type Query = Record<string, string | string[] | undefined>;

function one(query: Query, key: string): string | undefined {
  const value = query[key];
  return Array.isArray(value) ? value[0] : value;
}

function positive(value: string | undefined): number | undefined {
  const number = Number(value);
  return value !== undefined && Number.isSafeInteger(number) && number >= 1 ? number : undefined;
}

/** The request a restore page's query names, or why it names none. */
export function parseRestoreQuery(query: Query): { request: RestoreRequest; label: string | undefined } | { problem: string } {
  const from = positive(one(query, 'from'));
  const kind = one(query, 'kind') as RestoreKind | undefined;
  if (from === undefined) return { problem: 'The link names no snapshot to restore from.' };
  if (kind === undefined || !KINDS.includes(kind)) return { problem: 'The link does not say what to restore.' };
  const request: RestoreRequest = { from, kind };
  const id = one(query, 'id');
  const since = positive(one(query, 'since'));
  const collection = one(query, 'collection');
  if (kind === 'bookmark' || kind === 'folder' || kind === 'password') {
    if (id === undefined || id === '') return { problem: 'The link names no record to restore.' };
    request.id = id;
  }
  if (kind === 'deleted-bookmarks') request.since = since ?? from;
  if (kind === 'collection') {
    if (collection === undefined || !isRestorable(collection)) return { problem: 'The link names no collection that can be restored.' };
    request.collection = collection;
  }
  return { request, label: one(query, 'label') };
}

/** Why the plan writes a record, in words. */
export const REASON_WORDS: Record<PlannedReason, string> = {
  restored: 'Brought back as the snapshot had it',
  deleted: 'Deleted: newer than the snapshot',
  'ancestor-recreated': 'Folder recreated: it was deleted too',
  'parent-children-updated': 'Its folder lists the restored items again, at their old positions',
  'old-parent-children-updated': 'Its folder no longer lists an item moved back',
  'new-folder': 'New folder for the restored items',
};

/** What a restore request brings back, in words; `label` names the record. */
export function describeTarget(request: RestoreRequest, label: string | undefined): string {
  const named = label !== undefined && label !== '' ? ` “${label}”` : request.id !== undefined ? ` ${request.id}` : '';
  switch (request.kind) {
    case 'bookmark':
      return `The bookmark${named}`;
    case 'folder':
      return `The folder${named} with everything in it`;
    case 'password':
      return `The saved login${named}`;
    case 'deleted-bookmarks':
      return request.since === undefined || request.since === request.from ? `Every bookmark of snapshot #${request.from} that is gone from the server now` : `Every bookmark of snapshot #${request.since} gone by snapshot #${request.from}`;
    case 'collection':
      return `All of ${request.collection ?? 'the collection'}, back to the snapshot’s state`;
    case 'all':
      return 'Every restorable collection, back to the snapshot’s state';
  }
}

/** Validator problem categories in words (Firefox's bookmark validator's names). */
export function problemWords(category: string): string {
  const words: Record<string, string> = {
    orphans: 'Orphans (hang nowhere)',
    missingParents: 'Parent missing',
    deletedParents: 'Parent deleted',
    nonFolderParents: 'Parent is not a folder',
    parentChildDisagreements: 'Parent and folder disagree',
    misparentedRoots: 'Roots out of place',
    multipleParents: 'Listed by several folders',
    missingChildren: 'Children missing',
    deletedChildren: 'Deleted children listed',
    duplicateChildren: 'Listed twice in a folder',
    cycles: 'Cycles',
  };
  return words[category] ?? category.replace(/([A-Z])/g, ' $1').replace(/^./, (first) => first.toUpperCase());
}
