import type { RecordDecoder } from '../history/index.js';
import type { PrismaClient } from '../store/index.js';
import { normalizeBookmarkId, ROOT_TITLES } from '../sync/index.js';
import type { DecoderSource } from './decoders.js';
import { DiffInputError } from './errors.js';
import { FIND_COLLECTIONS, matchRecord, type MatchedText } from './find-match.js';

/** A complete snapshot, by number and when it was taken (ISO time). */
export interface SnapshotPoint {
  seq: number;
  at: string;
}

/** One record whose title or URL (or other searchable text) held the text in some snapshot. */
export interface FoundRecord {
  collection: string;
  id: string;
  /** As the last snapshot that had it saw it. */
  title: string | null;
  url: string | null;
  /** Bookmarks: the titles of the folders holding it in that snapshot, outermost first; null when it hung nowhere. */
  path?: string[] | null;
  firstSeen: SnapshotPoint;
  /** The last complete snapshot that had it (matching the text). */
  lastSeen: SnapshotPoint;
  /**
   * The first complete snapshot after `lastSeen` without it, and how it went: deleted (a
   * tombstone), removed (gone from the server), or changed (still there, no longer matching the
   * text, e.g. renamed). Null: the newest complete snapshot still has it.
   */
  gone: (SnapshotPoint & { how: 'deleted' | 'removed' | 'changed' }) | null;
}

export interface FindOptions {
  /** Collections to search; default FIND_COLLECTIONS (bookmarks and history first). */
  collections?: readonly string[];
  /** Matches returned at most (1-1000, default 100); `total` counts them all. */
  limit?: number;
  signal?: AbortSignal;
}

export interface FindResult {
  text: string;
  snapshotsSearched: number;
  /** Matching records, of which `matches` holds the first `limit`: vanished ones first (most recently gone first), then those still present. */
  total: number;
  matches: FoundRecord[];
  /** Distinct record versions decrypted: each once, however many snapshots saw it. */
  versionsDecrypted: number;
}

export const DEFAULT_FIND_LIMIT = 100;
export const MAX_FIND_LIMIT = 1000;
const BATCH = 500;

interface CompleteSnapshot {
  seq: number;
  at: string;
  keyFingerprint: string | null;
}

/** One version of a record, over the complete snapshots (by index) that saw it. */
interface VersionSpan {
  first: number;
  last: number;
  state: 'match' | 'other' | 'tombstone';
  match?: MatchedText;
  parentId?: string | null;
}

interface FolderSpan {
  first: number;
  last: number;
  title: string;
  parentId: string | null;
}

/** Index of the first snapshot whose seq is >= `seq` (seqs ascending). */
function lowerBound(seqs: readonly number[], seq: number): number {
  let low = 0;
  let high = seqs.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (seqs[middle]! < seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * "When did it vanish?": every record of an account whose text matches, across all complete
 * snapshots, with the last snapshot that had it and the first that did not. Record versions
 * know the snapshots that saw them (fromSeq/toSeq), so each distinct version is decrypted once,
 * with the keys of the first snapshot that saw it, and read in batches.
 */
export async function findAcrossSnapshots(
  prisma: PrismaClient,
  decoders: DecoderSource,
  accountId: string,
  text: string,
  options: FindOptions = {},
): Promise<FindResult> {
  const needle = text.trim().toLowerCase();
  if (needle === '') throw new DiffInputError('the text to find must not be empty');
  const limit = options.limit ?? DEFAULT_FIND_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_FIND_LIMIT) throw new DiffInputError(`limit must be a whole number from 1 to ${MAX_FIND_LIMIT}`);
  const rows = await prisma.snapshot.findMany({
    where: { accountId, status: 'complete' },
    orderBy: { seq: 'asc' },
    select: { seq: true, startedAt: true, finishedAt: true, keyFingerprint: true },
  });
  const snapshots: CompleteSnapshot[] = rows.map((row) => ({ seq: row.seq, at: (row.finishedAt ?? row.startedAt).toISOString(), keyFingerprint: row.keyFingerprint }));
  const search = new SnapshotSearch(prisma, decoders, accountId, snapshots, needle, options.signal);
  const found: FoundRecord[] = [];
  if (snapshots.length > 0) {
    for (const collection of options.collections ?? FIND_COLLECTIONS) found.push(...(await search.collection(collection)));
  }
  found.sort((a, b) => (b.gone?.seq ?? -1) - (a.gone?.seq ?? -1) || (a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { text, snapshotsSearched: snapshots.length, total: found.length, matches: found.slice(0, limit), versionsDecrypted: search.decrypted };
}

class SnapshotSearch {
  decrypted = 0;
  private readonly seqs: number[];
  /** Decoders by the keys in force (snapshots that share keys share a decoder). */
  private readonly decoderCache = new Map<string, Promise<RecordDecoder>>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly decoders: DecoderSource,
    private readonly accountId: string,
    private readonly snapshots: readonly CompleteSnapshot[],
    private readonly needle: string,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.seqs = snapshots.map((snapshot) => snapshot.seq);
  }

  async collection(collection: string): Promise<FoundRecord[]> {
    const newest = this.seqs.at(-1)!;
    const found: FoundRecord[] = [];
    const bookmarkParents = new Map<FoundRecord, { parentId: string | null; at: number }>();
    const folders = new Map<string, FolderSpan[]>();
    let recordId: string | undefined;
    let spans: VersionSpan[] = [];
    const finish = (): void => {
      if (recordId === undefined) return;
      const record = this.summarize(collection, recordId, spans);
      if (record !== undefined) {
        found.push(record.found);
        if (collection === 'bookmarks') bookmarkParents.set(record.found, { parentId: record.parentId, at: record.lastIndex });
      }
    };

    // A batch is a run of record ids (all their versions together), so a record never straddles two batches.
    for (let after = ''; ; ) {
      this.signal?.throwIfAborted();
      const ids = await this.prisma.$queryRaw<Array<{ bsoId: string }>>`
        SELECT DISTINCT "bsoId" FROM "RecordVersion"
        WHERE "accountId" = ${this.accountId}::uuid AND collection = ${collection} AND "bsoId" > ${after}
        ORDER BY "bsoId" LIMIT ${BATCH}`;
      const lastId = ids.at(-1)?.bsoId;
      if (lastId === undefined) break;
      const batch = await this.prisma.$queryRaw<Array<{ bsoId: string; fromSeq: number; toSeq: number | null; payload: string }>>`
        SELECT v."bsoId", v."fromSeq", v."toSeq", b.payload
        FROM "RecordVersion" v JOIN "Blob" b ON b.hash = v."blobHash"
        WHERE v."accountId" = ${this.accountId}::uuid AND v.collection = ${collection} AND v."fromSeq" <= ${newest}
          AND v."bsoId" = ANY(${ids.map((row) => row.bsoId)}::text[])
        ORDER BY v."bsoId", v."fromSeq"`;
      for (const row of batch) {
        const first = lowerBound(this.seqs, row.fromSeq);
        const last = (row.toSeq === null ? this.seqs.length : lowerBound(this.seqs, row.toSeq)) - 1;
        if (first > last) continue; // seen only by snapshots since forgotten
        if (row.bsoId !== recordId) {
          finish();
          recordId = row.bsoId;
          spans = [];
        }
        const cleartext = await this.open(collection, first, row.bsoId, row.payload);
        if (cleartext === undefined) {
          spans.push({ first, last, state: 'other' });
          continue;
        }
        if (cleartext['deleted'] === true) {
          spans.push({ first, last, state: 'tombstone' });
          continue;
        }
        const parentid = stringOrNull(cleartext['parentid']);
        const parentId = parentid === null ? null : normalizeBookmarkId(parentid);
        if (collection === 'bookmarks' && (cleartext['type'] === 'folder' || cleartext['type'] === 'livemark')) {
          const spansOf = folders.get(normalizeBookmarkId(row.bsoId)) ?? [];
          spansOf.push({ first, last, title: stringOrNull(cleartext['title']) ?? '', parentId });
          folders.set(normalizeBookmarkId(row.bsoId), spansOf);
        }
        const match = matchRecord(collection, cleartext, this.needle);
        spans.push(match === null ? { first, last, state: 'other' } : { first, last, state: 'match', match, parentId });
      }
      if (ids.length < BATCH) break;
      after = lastId;
    }
    finish();

    for (const [record, { parentId, at }] of bookmarkParents) record.path = folderPath(folders, parentId, at);
    return found;
  }

  private summarize(collection: string, id: string, spans: readonly VersionSpan[]): { found: FoundRecord; parentId: string | null; lastIndex: number } | undefined {
    const matching = spans.filter((span) => span.state === 'match');
    if (matching.length === 0) return undefined;
    const firstIndex = Math.min(...matching.map((span) => span.first));
    const lastSpan = matching.reduce((latest, span) => (span.last > latest.last ? span : latest));
    const goneIndex = lastSpan.last + 1;
    let gone: FoundRecord['gone'] = null;
    if (goneIndex < this.snapshots.length) {
      const next = spans.find((span) => span.first <= goneIndex && goneIndex <= span.last);
      gone = { ...this.point(goneIndex), how: next === undefined ? 'removed' : next.state === 'tombstone' ? 'deleted' : 'changed' };
    }
    const found: FoundRecord = {
      collection,
      id,
      title: lastSpan.match?.title ?? null,
      url: lastSpan.match?.url ?? null,
      firstSeen: this.point(firstIndex),
      lastSeen: this.point(lastSpan.last),
      gone,
    };
    return { found, parentId: lastSpan.parentId ?? null, lastIndex: lastSpan.last };
  }

  private point(index: number): SnapshotPoint {
    const snapshot = this.snapshots[index]!;
    return { seq: snapshot.seq, at: snapshot.at };
  }

  private async open(collection: string, snapshotIndex: number, bsoId: string, payload: string): Promise<Record<string, unknown> | undefined> {
    const snapshot = this.snapshots[snapshotIndex]!;
    const key = `${snapshot.keyFingerprint ?? `seq ${snapshot.seq}`}\u0000${collection}`;
    let decoder = this.decoderCache.get(key);
    if (decoder === undefined) {
      decoder = this.decoders.stored(this.accountId, snapshot.seq, collection);
      decoder.catch(() => undefined);
      this.decoderCache.set(key, decoder);
    }
    this.decrypted += 1;
    try {
      return (await decoder)({ bsoId, payload });
    } catch {
      // A version that does not open cannot match; it still counts as the record being there.
      return undefined;
    }
  }
}

/** Folder titles from the root down to `folderId`, as the snapshot at `index` had them. */
function folderPath(folders: ReadonlyMap<string, FolderSpan[]>, folderId: string | null, index: number): string[] | null {
  const titles: string[] = [];
  const seen = new Set<string>();
  for (let id = folderId; ; ) {
    if (id === null || seen.has(id)) return null;
    if (id === 'places') return titles.reverse();
    if (Object.hasOwn(ROOT_TITLES, id)) return [...titles, ROOT_TITLES[id as keyof typeof ROOT_TITLES]].reverse();
    seen.add(id);
    const span = folders.get(id)?.find((candidate) => candidate.first <= index && index <= candidate.last);
    if (span === undefined) return null;
    titles.push(span.title);
    id = span.parentId;
  }
}
