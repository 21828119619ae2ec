/**
 * Pending batch uploads of one user (sync-protocols.md §5.6): records collected over several
 * POSTs, invisible until the commit applies them all at one timestamp. Like syncstorage-rs, a
 * batch id is the base64 of its creation time in ms, and a batch lives two hours.
 */
import type { BsoUpdate } from './engine.js';

const BATCH_LIFETIME_MS = 2 * 60 * 60 * 1000;

export interface PendingBatch {
  id: string;
  collection: string;
  createdAt: number;
  updates: BsoUpdate[];
  /** Payload bytes collected so far, for max_total_bytes. */
  bytes: number;
}

export class PendingBatches {
  private readonly byId = new Map<string, PendingBatch>();
  private lastCreatedAt = 0;

  constructor(private readonly now: () => number) {}

  create(collection: string): PendingBatch {
    // Creation times double as ids, so two batches never share one.
    const createdAt = Math.max(this.now(), this.lastCreatedAt + 1);
    this.lastCreatedAt = createdAt;
    const batch: PendingBatch = {
      id: Buffer.from(String(createdAt), 'utf8').toString('base64'),
      collection,
      createdAt,
      updates: [],
      bytes: 0,
    };
    this.byId.set(batch.id, batch);
    return batch;
  }

  /** The open batch with this id for this collection; expired batches are dropped on sight. */
  find(collection: string, id: string): PendingBatch | undefined {
    const batch = this.byId.get(id);
    if (!batch) return undefined;
    if (batch.createdAt + BATCH_LIFETIME_MS <= this.now()) {
      this.byId.delete(id);
      return undefined;
    }
    return batch.collection === collection ? batch : undefined;
  }

  append(batch: PendingBatch, updates: BsoUpdate[]): void {
    batch.updates.push(...updates);
    batch.bytes += updates.reduce((sum, update) => sum + Buffer.byteLength(update.payload ?? ''), 0);
  }

  remove(id: string): void {
    this.byId.delete(id);
  }

  clear(): void {
    this.byId.clear();
  }
}
