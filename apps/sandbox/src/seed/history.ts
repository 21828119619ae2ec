import type { SeedCollection } from '../contracts.js';
import { GuidAllocator } from './ids.js';
import type { SeededRandom } from './random.js';
import { DAY_MS, MINUTE_MS, recentTime } from './time.js';
import { randomWebPage } from './web.js';

type SeedRecord = SeedCollection['records'][number];

/** application-services' HISTORY_TTL: 60 days. */
export const HISTORY_TTL_SECONDS = 5_184_000;
/** application-services uploads at most this many visits per page. */
export const MAX_VISITS_PER_RECORD = 20;

/** Places transition types. */
const TRANSITION = { link: 1, typed: 2, bookmark: 3, permanentRedirect: 5, temporaryRedirect: 6, download: 7, framedLink: 8, reload: 9 } as const;

// Embed visits (4) are never stored by Places, so no client ever syncs one.
const TRANSITION_MIX = [
  [TRANSITION.link, 62],
  [TRANSITION.typed, 14],
  [TRANSITION.bookmark, 5],
  [TRANSITION.permanentRedirect, 3],
  [TRANSITION.temporaryRedirect, 5],
  [TRANSITION.download, 1],
  [TRANSITION.framedLink, 3],
  [TRANSITION.reload, 7],
] as const;

/** Places' frecency bonus per transition; the others score nothing. */
const TRANSITION_BONUS: Partial<Record<number, number>> = { [TRANSITION.link]: 100, [TRANSITION.typed]: 2000, [TRANSITION.bookmark]: 75 };
const FRECENCY_SAMPLED_VISITS = 10;

/** History engine records with unique URLs; sortindex is the page's frecency, as Firefox sets it. */
export function generateHistory(rng: SeededRandom, count: number, now: number): SeedRecord[] {
  const guids = new GuidAllocator(rng);
  const seenUrls = new Set<string>();
  const records: SeedRecord[] = [];
  while (records.length < count) {
    const page = randomWebPage(rng);
    if (seenUrls.has(page.url)) continue;
    seenUrls.add(page.url);
    const visits = randomVisits(rng, now);
    records.push({
      cleartext: { id: guids.next(), histUri: page.url, title: page.title, visits },
      sortindex: frecency(visits, now),
      ttl: HISTORY_TTL_SECONDS,
    });
  }
  return records;
}

interface Visit {
  date: number;
  type: number;
}

/** 1..20 visits, newest first, dates in microseconds and strictly descending. */
function randomVisits(rng: SeededRandom, now: number): Visit[] {
  const count = rng.skewedInt(1, MAX_VISITS_PER_RECORD, 3);
  const visits: Visit[] = [];
  let visitMs = recentTime(rng, now, 60 * DAY_MS);
  for (let i = 0; i < count; i++) {
    visits.push({ date: visitMs * 1000 + rng.int(0, 999), type: rng.weighted(TRANSITION_MIX) });
    visitMs -= MINUTE_MS + rng.skewedInt(0, 20 * DAY_MS, 3);
  }
  return visits;
}

/** Places' frecency, simplified: the newest visits scored by transition and age, scaled to all visits. */
function frecency(visits: readonly Visit[], now: number): number {
  const sampled = visits.slice(0, FRECENCY_SAMPLED_VISITS);
  let points = 0;
  for (const visit of sampled) {
    const bonus = TRANSITION_BONUS[visit.type] ?? 0;
    points += (bonus / 100) * ageWeight(now - visit.date / 1000);
  }
  return Math.ceil((visits.length * Math.ceil(points)) / sampled.length);
}

function ageWeight(ageMs: number): number {
  if (ageMs <= 4 * DAY_MS) return 100;
  if (ageMs <= 14 * DAY_MS) return 70;
  if (ageMs <= 31 * DAY_MS) return 50;
  if (ageMs <= 90 * DAY_MS) return 30;
  return 10;
}
