/**
 * Sync timestamps travel as decimal seconds ("1700000000.25", "1700000000.2", "1700000000") and
 * are kept as integer milliseconds. Parsing works on the decimal digits, never multiplying a
 * float, so 1700000000.29 is exactly 1700000000290.
 */

const DECIMAL_SECONDS = /^(\d+)(?:\.(\d*))?$/;

export class InvalidTimestampError extends TypeError {
  override readonly name = 'InvalidTimestampError';
}

/**
 * Integer milliseconds from a wire timestamp: a header string or a JSON number. Digits past the
 * millisecond are rounded half up.
 */
export function parseSyncTimestamp(value: string | number): number {
  // A JSON number prints back as its shortest round-tripping decimal, i.e. the digits the server sent.
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = DECIMAL_SECONDS.exec(text);
  if (!match || match[1] === undefined) throw new InvalidTimestampError(`not a Sync timestamp: ${JSON.stringify(value)}`);
  const fraction = match[2] ?? '';
  const millis = Number(match[1]) * 1000 + Number(fraction.slice(0, 3).padEnd(3, '0'));
  const roundUp = fraction.length > 3 && fraction.charCodeAt(3) >= '5'.charCodeAt(0);
  const result = roundUp ? millis + 1 : millis;
  if (!Number.isSafeInteger(result)) throw new InvalidTimestampError(`Sync timestamp out of range: ${text}`);
  return result;
}

/** Like parseSyncTimestamp, but `undefined` for anything missing or unparsable (optional headers, JSON fields). */
export function parseOptionalSyncTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return parseSyncTimestamp(value);
  } catch {
    return undefined;
  }
}

/**
 * Decimal seconds for headers and query parameters: two decimals (the servers' 10 ms
 * resolution), or three when the value is not on a 10 ms boundary, so nothing is lost.
 */
export function formatSyncTimestamp(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new InvalidTimestampError(`not a timestamp in ms: ${ms}`);
  const seconds = Math.floor(ms / 1000);
  const millis = ms % 1000;
  return millis % 10 === 0
    ? `${seconds}.${String(millis / 10).padStart(2, '0')}`
    : `${seconds}.${String(millis).padStart(3, '0')}`;
}
