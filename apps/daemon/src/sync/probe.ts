import { decryptBso, type CollectionKeys } from './crypto/index.js';
import { fetchCollectionKeys, type SyncConnection } from './connection.js';
import type { RemoteBso } from './storage/index.js';

export interface ProbeReport {
  /** Every collection on the server: record count and last-modified time (integer ms). */
  collections: Record<string, { count: number; lastModified: number }>;
  /** One decrypted record per collection (meta/global as it is; key material redacted). */
  decrypted: Record<string, unknown>;
  /** Collections whose sample record could not be read or decrypted, with the reason. */
  problems: Record<string, string>;
}

export interface ProbeOptions {
  /** Show password and card-number values instead of masking them. */
  revealSecrets?: boolean;
}

const MASK = '********';

/** Reads an account end to end: collections, counts, crypto/keys, and one decrypted record of each collection. */
export async function probeAccount(connection: SyncConnection, options: ProbeOptions = {}): Promise<ProbeReport> {
  const { storage } = connection;
  const [lastModified, counts] = await Promise.all([storage.infoCollections(), storage.collectionCounts()]);
  const report: ProbeReport = { collections: {}, decrypted: {}, problems: {} };
  const names = Object.keys(lastModified).sort();
  for (const name of names) report.collections[name] = { count: counts[name] ?? 0, lastModified: lastModified[name] ?? 0 };

  const keys = await fetchCollectionKeys(connection);

  for (const name of names) {
    try {
      if (name === 'crypto') {
        if (keys !== undefined) report.decrypted[name] = redactKeys(keys);
        continue;
      }
      const sample = await firstRecord(connection, name);
      if (sample === undefined) continue;
      if (name === 'meta') report.decrypted[name] = JSON.parse(sample.payload);
      else if (keys === undefined) report.problems[name] = 'no crypto/keys on the server: records cannot be decrypted';
      else report.decrypted[name] = options.revealSecrets ? decryptBso(name, sample, keys) : maskSecrets(decryptBso(name, sample, keys));
    } catch (error) {
      report.problems[name] = error instanceof Error ? error.message : String(error);
    }
  }
  return report;
}

async function firstRecord(connection: SyncConnection, collection: string): Promise<RemoteBso | undefined> {
  if (collection === 'meta') return (await connection.storage.getRecord('meta', 'global')) ?? undefined;
  for await (const page of connection.storage.readRecords(collection, { sort: 'newest', limit: 1 })) {
    return page[0];
  }
  return undefined;
}

/** crypto/keys for display: its fingerprint and which collections have their own keys, never the keys. */
export function redactKeys(keys: CollectionKeys): Record<string, unknown> {
  const cleartext = keys.toCleartext();
  return { id: cleartext.id, collection: cleartext.collection, default: MASK, collections: Object.keys(cleartext.collections ?? {}), fingerprint: keys.fingerprint() };
}

/** A decrypted record for display with its password and card-number values masked. */
export function maskSecrets(record: Record<string, unknown>): Record<string, unknown> {
  const masked: Record<string, unknown> = { ...record };
  if (typeof masked['password'] === 'string') masked['password'] = MASK;
  const entry = masked['entry'];
  if (typeof entry === 'object' && entry !== null && 'cc-number' in entry) masked['entry'] = { ...entry, 'cc-number': MASK };
  return masked;
}
