/**
 * meta/global as a migration writes it. Real clients compare it with what they remember: an
 * engine whose syncID changed is reset (everything downloaded and merged again), and a
 * meta/global, top-level syncID or engine entry that is missing makes them wipe the server and
 * start afresh. So the default is to keep it exactly as it was; only a 1.1 source (made valid for
 * 1.5) and `--rekey` (new keys mean new syncIDs) change it.
 */
import { randomBytes } from 'node:crypto';
import { STORAGE_VERSION, type MetaGlobalRecord } from '../sync/index.js';
import { MigrationRefusedError } from './errors.js';

/** Bookmarks engine version current clients require; older (Places v1) data cannot move as is. */
export const BOOKMARKS_ENGINE_VERSION = 2;

/** A syncID in the form clients make them: 12 characters of URL-safe base64. */
export function newSyncId(): string {
  return randomBytes(9).toString('base64url');
}

export function parseMetaGlobal(payload: string): MetaGlobalRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    throw new MigrationRefusedError('the source meta/global is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new MigrationRefusedError('the source meta/global is not a JSON object');
  const meta = parsed as MetaGlobalRecord;
  if (meta.storageVersion !== STORAGE_VERSION) {
    throw new MigrationRefusedError(`the source meta/global has storage version ${String(meta.storageVersion)}; current clients read only ${STORAGE_VERSION}, so there is nothing they could sync from`);
  }
  if (typeof meta.syncID !== 'string' || typeof meta.engines !== 'object' || meta.engines === null) {
    throw new MigrationRefusedError('the source meta/global has no syncID or no engines: clients would wipe a server holding it');
  }
  return meta;
}

export interface ConvertedMetaGlobal {
  meta: MetaGlobalRecord;
  /** The bookmarks records cannot move (engine version below 2): clients get a fresh bookmarks engine instead. */
  dropBookmarks: boolean;
  notes: string[];
}

/**
 * A Sync 1.1 meta/global made valid for 1.5: `declined` added when missing (1.5 clients expect
 * it), syncIDs kept (a profile moving from 1.1 signs in to a new account and resets anyway, and
 * keeping them costs nothing), and a bookmarks engine older than version 2 replaced by a fresh v2
 * entry whose records are not copied.
 */
export function convertLegacyMetaGlobal(meta: MetaGlobalRecord): ConvertedMetaGlobal {
  const engines = { ...meta.engines };
  const notes: string[] = [];
  let dropBookmarks = false;
  const bookmarks = engines['bookmarks'];
  if (bookmarks !== undefined && (bookmarks.version ?? 0) < BOOKMARKS_ENGINE_VERSION) {
    engines['bookmarks'] = { version: BOOKMARKS_ENGINE_VERSION, syncID: newSyncId() };
    dropBookmarks = true;
    notes.push(`the source's bookmarks engine is version ${String(bookmarks.version)}; current clients need version ${BOOKMARKS_ENGINE_VERSION}, so bookmarks are not copied and meta/global gets a fresh bookmarks engine (clients upload their own bookmarks)`);
  }
  const converted: MetaGlobalRecord = { ...meta, engines, declined: Array.isArray(meta.declined) ? meta.declined : [] };
  if (!Array.isArray(meta.declined)) notes.push('meta/global gets an empty "declined" list (Sync 1.5 clients expect one)');
  return { meta: converted, dropBookmarks, notes };
}

/** The same engines and versions under new syncIDs: every client resets each engine and merges. */
export function withNewSyncIds(meta: MetaGlobalRecord): MetaGlobalRecord {
  const engines = Object.fromEntries(Object.entries(meta.engines ?? {}).map(([name, state]) => [name, { ...state, syncID: newSyncId() }]));
  return { ...meta, syncID: newSyncId(), engines };
}

/**
 * `--merge` keeps the target's meta/global (its clients stay connected) and adds the engines only
 * the source has, so that their records are not wiped by clients that find no entry for them.
 * `changed` is false when the target already lists every engine.
 */
export function mergeIntoTargetMeta(target: MetaGlobalRecord, source: MetaGlobalRecord): { meta: MetaGlobalRecord; changed: boolean } {
  const engines = { ...target.engines };
  let declined = [...(target.declined ?? [])];
  let changed = false;
  for (const [name, state] of Object.entries(source.engines ?? {})) {
    if (engines[name] !== undefined) continue;
    engines[name] = state;
    declined = declined.filter((engine) => engine !== name);
    changed = true;
  }
  return { meta: { ...target, engines, declined }, changed };
}
