import type { FieldChange, UnreadableRecord } from '../types.js';

/** A decrypted record. */
export type Cleartext = Record<string, unknown>;

/**
 * One record that differs between the two sides of a diff, as the semantic views take it: its
 * cleartext on each side (unmasked: the views decide what to show), absent when that side does
 * not have the record, or the reason it could not be read.
 */
export interface RecordPair {
  id: string;
  before?: Cleartext;
  after?: Cleartext;
  beforeError?: string;
  afterError?: string;
}

export interface SemanticOptions {
  /** Show password and card-number values in field changes instead of leaving them out. */
  revealSecrets?: boolean;
}

/** The record as a live item: undefined when absent or a tombstone. */
export function liveRecord(cleartext: Cleartext | undefined): Cleartext | undefined {
  return cleartext === undefined || cleartext['deleted'] === true ? undefined : cleartext;
}

export function stringField(record: Cleartext | undefined, field: string): string | null {
  const value = record?.[field];
  return typeof value === 'string' ? value : null;
}

/** Pairs that could not be read on a side the view needs; the rest go on. */
export function splitUnreadable(pairs: readonly RecordPair[]): { readable: RecordPair[]; unreadable: UnreadableRecord[] } {
  const readable: RecordPair[] = [];
  const unreadable: UnreadableRecord[] = [];
  for (const pair of pairs) {
    if (pair.beforeError !== undefined) unreadable.push({ id: pair.id, side: 'from', error: pair.beforeError });
    if (pair.afterError !== undefined) unreadable.push({ id: pair.id, side: 'to', error: pair.afterError });
    if (pair.beforeError === undefined && pair.afterError === undefined) readable.push(pair);
  }
  return { readable, unreadable };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted, so equal values compare equal whatever order a client wrote them in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Nested objects become dotted paths; arrays and other values are leaves. */
function flatten(value: Record<string, unknown>, prefix: string, into: Map<string, unknown>): void {
  for (const [key, field] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(field) && Object.keys(field).length > 0) flatten(field, path, into);
    else into.set(path, field);
  }
}

export interface FieldDiffOptions extends SemanticOptions {
  /** Top-level fields to leave out of the comparison. */
  ignore?: ReadonlySet<string>;
  /** Dotted paths whose values are secrets. */
  secrets?: ReadonlySet<string>;
  /** How a secret shows when not revealed (default: not at all). */
  maskSecret?: (value: unknown) => unknown;
}

/** Field by field: what differs between two cleartexts, in field order. */
export function fieldChanges(before: Cleartext, after: Cleartext, options: FieldDiffOptions = {}): FieldChange[] {
  const ignore = options.ignore ?? new Set(['id']);
  const left = new Map<string, unknown>();
  const right = new Map<string, unknown>();
  flatten(Object.fromEntries(Object.entries(before).filter(([key]) => !ignore.has(key))), '', left);
  flatten(Object.fromEntries(Object.entries(after).filter(([key]) => !ignore.has(key))), '', right);
  const fields = [...new Set([...left.keys(), ...right.keys()])].sort();
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const had = left.has(field);
    const has = right.has(field);
    const was = left.get(field);
    const is = right.get(field);
    if (had && has && canonicalJson(was) === canonicalJson(is)) continue;
    if (options.secrets?.has(field) === true && options.revealSecrets !== true) {
      const mask = options.maskSecret;
      changes.push({
        field,
        secret: true,
        ...(mask !== undefined && had && { before: mask(was) }),
        ...(mask !== undefined && has && { after: mask(is) }),
      });
      continue;
    }
    changes.push({ field, ...(had && { before: was }), ...(has && { after: is }) });
  }
  return changes;
}

/** A card number as Firefox shows it: only the last four digits. */
export function maskCardNumber(value: unknown): string {
  if (typeof value !== 'string') return '****';
  const digits = value.replace(/\D/g, '');
  return `****${digits.slice(-4)}`;
}

export function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
