import type { SeededRandom } from './random.js';

/** Firefox desktop's application ID: `applicationID` of addons, `appPackage` of desktop clients. */
export const FIREFOX_DESKTOP_APP_ID = '{ec8030f7-c20a-464f-9b0e-13a3a9e97384}';

/**
 * A Sync GUID or syncID: 9 random bytes in base64url, 12 characters, as Firefox's
 * `Utils.makeGUID` and application-services' `Guid::random` make them.
 */
export function generateSyncId(rng: SeededRandom): string {
  return rng.bytes(9).toString('base64url');
}

/** A lowercase RFC 4122 version 4 UUID without braces. */
export function generateUuid(rng: SeededRandom): string {
  const bytes = rng.bytes(16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An FxA device id: 32 lowercase hex characters. */
export function generateFxaDeviceId(rng: SeededRandom): string {
  return rng.bytes(16).toString('hex');
}

/** Hands out Sync GUIDs that are unique within one collection, however unlikely a clash is. */
export class GuidAllocator {
  readonly #rng: SeededRandom;
  readonly #used = new Set<string>();

  constructor(rng: SeededRandom) {
    this.#rng = rng;
  }

  next(): string {
    let id = generateSyncId(this.#rng);
    while (this.#used.has(id)) id = generateSyncId(this.#rng);
    this.#used.add(id);
    return id;
  }
}
