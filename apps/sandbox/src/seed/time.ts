import type { SeededRandom } from './random.js';

export const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const YEAR_MS = 365 * DAY_MS;

/** The default "now" of a seed, fixed so that a seed's output never depends on the clock. */
export const DEFAULT_SEED_NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

/** A millisecond time in (now - maxAgeMs, now], leaning towards recent times. */
export function recentTime(rng: SeededRandom, now: number, maxAgeMs: number, skew = 2): number {
  return now - rng.skewedInt(0, maxAgeMs - 1, skew);
}

/** A millisecond time uniformly in [from, to]. */
export function timeBetween(rng: SeededRandom, from: number, to: number): number {
  return to <= from ? from : rng.int(from, to);
}
