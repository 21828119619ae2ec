import type { SnapshotRecord } from '../history/index.js';
import { isTombstone, validateRecord, type CollectionRecords, type Tombstone } from '../sync/index.js';

export interface SkippedRecord {
  id: string;
  reason: string;
}

/** What an export wrote, and what it left out and why. Complete once the file's bytes are all read. */
export interface ExportSummary {
  /** Items in the file: bookmarks, folders and separators; logins; pages; records. */
  written: number;
  /** Records left out: they do not decrypt, or are no valid item of the collection. */
  skipped: number;
  /** The first of those, with the reason. */
  skippedSamples: SkippedRecord[];
  /** Where the file differs from the snapshot otherwise (e.g. orphans placed in Other Bookmarks). */
  notes: string[];
}

const SAMPLES = 20;

export class ExportTally {
  written = 0;
  skipped = 0;
  readonly skippedSamples: SkippedRecord[] = [];
  readonly notes: string[] = [];

  wrote(count = 1): void {
    this.written += count;
  }

  skip(id: string, reason: string): void {
    this.skipped++;
    if (this.skippedSamples.length < SAMPLES) this.skippedSamples.push({ id, reason });
  }

  note(text: string): void {
    this.notes.push(text);
  }

  summary(): ExportSummary {
    return { written: this.written, skipped: this.skipped, skippedSamples: [...this.skippedSamples], notes: [...this.notes] };
  }
}

type LiveRecord<C extends keyof CollectionRecords> = Exclude<CollectionRecords[C], Tombstone>;

export interface ReadableRecord<C extends keyof CollectionRecords> {
  record: LiveRecord<C>;
  /** Server modified time, ms. */
  modified: number;
}

/**
 * The live, well-formed items of a collection, typed. Deletions (tombstones) are no items and
 * are passed over; records that do not decrypt or do not fit the collection's format are
 * tallied as skipped.
 */
export async function* liveRecords<C extends keyof CollectionRecords>(records: AsyncIterable<SnapshotRecord>, collection: C, tally: ExportTally): AsyncGenerator<ReadableRecord<C>> {
  for await (const snapshotRecord of records) {
    if (snapshotRecord.cleartext === null) {
      tally.skip(snapshotRecord.id, snapshotRecord.error ?? 'does not decrypt');
      continue;
    }
    const { record, problems } = validateRecord(collection, snapshotRecord.cleartext);
    if (record === null) {
      tally.skip(snapshotRecord.id, problems[0]?.message ?? `not a ${collection} record`);
      continue;
    }
    if (isTombstone(record)) continue;
    yield { record: record as unknown as LiveRecord<C>, modified: snapshotRecord.modified };
  }
}
