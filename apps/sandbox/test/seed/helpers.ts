import type { SeedCollection } from '../../src/contracts.js';

export type SeedRecord = SeedCollection['records'][number];

export const GUID_PATTERN = /^[A-Za-z0-9_-]{12}$/;
export const BRACED_UUID_PATTERN = /^\{[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\}$/;
export const FXA_DEVICE_ID_PATTERN = /^[0-9a-f]{32}$/;

export function collection(collections: readonly SeedCollection[], name: string): SeedRecord[] {
  const found = collections.find((entry) => entry.collection === name);
  if (!found) throw new Error(`no ${name} collection in the seed`);
  return found.records;
}

export function isTombstone(record: SeedRecord): boolean {
  return record.cleartext.deleted === true;
}

export function live(records: readonly SeedRecord[]): SeedRecord[] {
  return records.filter((record) => !isTombstone(record));
}

export function stringField(record: SeedRecord, field: string): string {
  const value = record.cleartext[field];
  if (typeof value !== 'string') throw new Error(`${record.cleartext.id}.${field} is not a string: ${JSON.stringify(value)}`);
  return value;
}

export function numberField(record: SeedRecord, field: string): number {
  const value = record.cleartext[field];
  if (typeof value !== 'number') throw new Error(`${record.cleartext.id}.${field} is not a number: ${JSON.stringify(value)}`);
  return value;
}

export function arrayField<T = unknown>(record: SeedRecord, field: string): T[] {
  const value = record.cleartext[field];
  if (!Array.isArray(value)) throw new Error(`${record.cleartext.id}.${field} is not an array: ${JSON.stringify(value)}`);
  return value as T[];
}

export function objectField(record: SeedRecord, field: string): Record<string, unknown> {
  const value = record.cleartext[field];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${record.cleartext.id}.${field} is not an object`);
  return value as Record<string, unknown>;
}
