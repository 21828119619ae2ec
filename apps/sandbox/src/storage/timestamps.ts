/**
 * Sync timestamps: integer milliseconds inside, decimal seconds on the wire. Parsing is done on
 * the decimal text itself so "1700000000.29" never turns into ...289.999 through a float.
 */

/** Server timestamps have 10 ms resolution. */
export const TIMESTAMP_RESOLUTION_MS = 10;

export function floorToResolution(ms: number, resolutionMs = TIMESTAMP_RESOLUTION_MS): number {
  return ms - (ms % resolutionMs);
}

/** Seconds with `decimals` fractional digits (truncated), e.g. 1700000000250 -> "1700000000.25". */
export function formatSyncTimestamp(ms: number, decimals: 0 | 1 | 2 = 2): string {
  const seconds = Math.floor(ms / 1000);
  if (decimals === 0) return String(seconds);
  const fraction = String(ms % 1000).padStart(3, '0').slice(0, decimals);
  return `${seconds}.${fraction}`;
}

export type ParsedTimestamp = { ok: true; ms: number } | { ok: false; negative: boolean };

/** Parses a client-sent timestamp (header or query) to ms floored to 10 ms. */
export function parseSyncTimestamp(text: string): ParsedTimestamp {
  const trimmed = text.trim();
  const decimal = /^(\d+)(?:\.(\d*))?$/.exec(trimmed);
  if (decimal) {
    const fraction = (decimal[2] ?? '').padEnd(3, '0').slice(0, 3);
    const ms = Number(decimal[1]) * 1000 + Number(fraction);
    return Number.isSafeInteger(ms) ? { ok: true, ms: floorToResolution(ms) } : { ok: false, negative: false };
  }
  // Exotic but valid float spellings ("1.7e9"), as a float-parsing server would take them.
  const value = Number(trimmed);
  if (trimmed === '' || Number.isNaN(value)) return { ok: false, negative: false };
  if (value < 0) return { ok: false, negative: true };
  const ms = Math.floor(value * 1000);
  return Number.isSafeInteger(ms) ? { ok: true, ms: floorToResolution(ms) } : { ok: false, negative: false };
}
