/**
 * The `ttl` (seconds) real clients give records of each collection. A GET never returns a
 * record's ttl, so whatever writes backed-up records again re-applies these. Collections not
 * listed never expire.
 */
export const COLLECTION_TTL_SECONDS: Readonly<Record<string, number>> = {
  history: 5_184_000, // 60 days
  forms: 94_608_000, // 3 years
  clients: 15_552_000, // 180 days
  tabs: 15_552_000,
};

/**
 * The ttl to send with a record last modified at `modifiedMs`, so it expires when the original
 * would have: null when it never expires, 0 or less when it would already have expired.
 */
export function remainingTtlSeconds(collection: string, modifiedMs: number, nowMs: number): number | null {
  const ttl = COLLECTION_TTL_SECONDS[collection];
  if (ttl === undefined) return null;
  return ttl - Math.floor(Math.max(0, nowMs - modifiedMs) / 1000);
}
