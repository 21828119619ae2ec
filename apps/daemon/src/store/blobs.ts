import { createHash } from 'node:crypto';

/** The content address of a payload: hex SHA-256 of its text as UTF-8 (Blob.hash holds the raw bytes). */
export function payloadHash(payload: string): string {
  return createHash('sha256').update(payload, 'utf8').digest('hex');
}
