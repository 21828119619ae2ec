/** A small bookmark tree to write on the sandbox as another Firefox would, and to delete parts of. */
import type { AccountsSandbox } from '../../accounts/support.js';

export type Json = Record<string, unknown>;

export const folder = (id: string, parentid: string, title: string, children: string[]): Json => ({ id, type: 'folder', parentid, parentName: '', title, children, dateAdded: 1_600_000_000_000 });
export const bookmark = (id: string, parentid: string, title: string): Json => ({ id, type: 'bookmark', parentid, parentName: '', title, bmkUri: `https://${title.toLowerCase()}.example/`, dateAdded: 1_600_000_000_000 });

/** menu > [Work > [Alpha, Bravo, Trips > [Lisbon, Porto], Charlie], Foxtrot]; toolbar > [Tango]. */
export function workTree(): Json[] {
  return [
    folder('menu', 'places', '', ['workfolder1', 'bookmarkF01']),
    folder('toolbar', 'places', '', ['bookmarkT01']),
    folder('unfiled', 'places', '', []),
    folder('mobile', 'places', '', []),
    folder('workfolder1', 'menu', 'Work', ['bookmarkA01', 'bookmarkB01', 'tripsfolder', 'bookmarkC01']),
    bookmark('bookmarkA01', 'workfolder1', 'Alpha'),
    bookmark('bookmarkB01', 'workfolder1', 'Bravo'),
    folder('tripsfolder', 'workfolder1', 'Trips', ['bookmarkL01', 'bookmarkP01']),
    bookmark('bookmarkL01', 'tripsfolder', 'Lisbon'),
    bookmark('bookmarkP01', 'tripsfolder', 'Porto'),
    bookmark('bookmarkC01', 'workfolder1', 'Charlie'),
    bookmark('bookmarkF01', 'menu', 'Foxtrot'),
    bookmark('bookmarkT01', 'toolbar', 'Tango'),
  ];
}

/** Writes records to the account's collection on the sandbox, encrypted with its keys, as another client would. */
export function writeAsAnotherClient(sandbox: AccountsSandbox, email: string, change: { collection: string; upsert?: Json[]; tombstone?: string[] }): Promise<unknown> {
  return sandbox.control('POST', `/accounts/${encodeURIComponent(email)}/records`, change);
}

/** Another device deletes the Trips folder with both its bookmarks, and updates Work's children. */
export function deleteTrips(sandbox: AccountsSandbox, email: string): Promise<unknown> {
  return writeAsAnotherClient(sandbox, email, {
    collection: 'bookmarks',
    tombstone: ['tripsfolder', 'bookmarkL01', 'bookmarkP01'],
    upsert: [folder('workfolder1', 'menu', 'Work', ['bookmarkA01', 'bookmarkB01', 'bookmarkC01'])],
  });
}

/** The sandbox's own decryption of a collection, by record id (tombstones included, as `{deleted: true}`). */
export async function readBack(sandbox: AccountsSandbox, email: string, collection: string): Promise<Map<string, Json>> {
  const records = await sandbox.control<Array<{ id: string; cleartext: Json | null }>>('GET', `/accounts/${encodeURIComponent(email)}/records/${collection}`);
  return new Map(records.map((record) => [record.id, record.cleartext ?? { undecryptable: true }]));
}
