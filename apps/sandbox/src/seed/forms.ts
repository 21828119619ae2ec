import type { SeedCollection } from '../contracts.js';
import { GuidAllocator } from './ids.js';
import { FIRST_NAMES, LAST_NAMES, emailAddress } from './people.js';
import type { SeededRandom } from './random.js';
import { searchQuery } from './web.js';

type SeedRecord = SeedCollection['records'][number];

/** Desktop keeps form history for 3 years (older clients 60 days). */
export const FORMS_TTL_SECONDS = 94_608_000;

const CITIES = ['Berlin', 'München', 'Zürich', 'Wien', 'Paris', 'Lyon', 'São Paulo', 'Kraków', 'Toronto', 'Seattle', 'Kyoto', 'Malmö'] as const;
const STREETS = ['Hauptstraße', 'Bahnhofstraße', 'Rue de Rivoli', 'Main Street', 'Calle Mayor', 'Königsallee', 'Elm Avenue'] as const;

/** Field names as pages name them, each with values a user would type into it. */
const FIELDS: ReadonlyArray<readonly [string, (rng: SeededRandom) => string, number]> = [
  // The search bar's own history lives in form history under this field name.
  ['searchbar-history', searchQuery, 30],
  ['q', searchQuery, 15],
  ['search', searchQuery, 5],
  ['email', (rng) => emailAddress(rng), 12],
  ['name', (rng) => `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`, 5],
  ['firstname', (rng) => rng.pick(FIRST_NAMES), 4],
  ['lastname', (rng) => rng.pick(LAST_NAMES), 4],
  ['username', (rng) => `${rng.pick(FIRST_NAMES).toLowerCase()}${rng.int(1, 999)}`, 5],
  ['city', (rng) => rng.pick(CITIES), 4],
  ['zip', (rng) => String(rng.int(10_000, 99_999)), 4],
  ['street', (rng) => `${rng.pick(STREETS)} ${rng.int(1, 180)}`, 3],
  ['phone', (rng) => `+49 ${rng.int(150, 179)} ${rng.int(1_000_000, 9_999_999)}`, 3],
  ['coupon', (rng) => `${rng.pick(['SAVE', 'WELCOME', 'SPRING', 'BLACKFRIDAY'])}${rng.int(5, 50)}`, 2],
];

/** Form history entries, unique by (name, value) as Firefox keeps them. */
export function generateForms(rng: SeededRandom, count: number): SeedRecord[] {
  const guids = new GuidAllocator(rng);
  const weighted = FIELDS.map(([name, value, weight]) => [[name, value], weight] as const);
  const seen = new Set<string>();
  const records: SeedRecord[] = [];
  while (records.length < count) {
    const [name, makeValue] = rng.weighted(weighted);
    const value = makeValue(rng);
    const key = `${name}\u0000${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    records.push({ cleartext: { id: guids.next(), name, value }, ttl: FORMS_TTL_SECONDS });
  }
  return records;
}
