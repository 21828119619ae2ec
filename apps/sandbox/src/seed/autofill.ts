import type { SeedCollection } from '../contracts.js';
import { GuidAllocator } from './ids.js';
import { FIRST_NAMES, LAST_NAMES, emailAddress } from './people.js';
import type { SeededRandom } from './random.js';
import { YEAR_MS, recentTime, timeBetween } from './time.js';

type SeedRecord = SeedCollection['records'][number];

/** Record format versions of the autofill engines' `entry`. */
export const ADDRESS_ENTRY_VERSION = 1;
export const CREDIT_CARD_ENTRY_VERSION = 3;

/** Street, city, region, postal code and E.164 phone prefix (plus how many digits follow it) that belong together. */
const LOCALITIES = [
  { country: 'US', streets: ['Pine Street', 'Elm Avenue', 'Market Street'], numberFirst: true, city: 'Seattle', region: 'WA', postalCode: '98101', phone: '+1206555', phoneDigits: 4 },
  { country: 'US', streets: ['Congress Avenue', 'Lamar Boulevard'], numberFirst: true, city: 'Austin', region: 'TX', postalCode: '78701', phone: '+1512555', phoneDigits: 4 },
  { country: 'DE', streets: ['Hauptstraße', 'Schönhauser Allee', 'Bergmannstraße'], numberFirst: false, city: 'Berlin', region: '', postalCode: '10435', phone: '+4930', phoneDigits: 8 },
  { country: 'DE', streets: ['Leopoldstraße', 'Türkenstraße'], numberFirst: false, city: 'München', region: 'BY', postalCode: '80802', phone: '+4989', phoneDigits: 8 },
  { country: 'FR', streets: ['rue de Rivoli', 'boulevard Saint-Germain'], numberFirst: true, city: 'Paris', region: '', postalCode: '75001', phone: '+33142', phoneDigits: 6 },
  { country: 'CA', streets: ['Queen Street West', 'Rue Sainte-Catherine'], numberFirst: true, city: 'Toronto', region: 'ON', postalCode: 'M5V 2T6', phone: '+1416555', phoneDigits: 4 },
] as const;

const ORGANIZATIONS = ['', '', '', 'Mozilla', 'ACME GmbH', 'Initech', 'Université de Lyon'] as const;

/** Card networks with their IIN prefixes and lengths; numbers are random but pass Luhn, like test cards. */
const CARD_NETWORKS = [
  { type: 'visa', prefixes: ['4'], length: 16 },
  { type: 'mastercard', prefixes: ['51', '52', '53', '54', '55', '2221', '2720'], length: 16 },
  { type: 'amex', prefixes: ['34', '37'], length: 15 },
  { type: 'discover', prefixes: ['6011', '65'], length: 16 },
] as const;

/** Autofill's usage metadata, shared by addresses and credit cards. */
function usageTimes(rng: SeededRandom, now: number): Record<string, number> {
  const timeCreated = recentTime(rng, now, 4 * YEAR_MS, 1);
  const timeLastModified = rng.chance(0.5) ? timeCreated : timeBetween(rng, timeCreated, now);
  const timesUsed = rng.skewedInt(0, 60, 2);
  return { timeCreated, timeLastUsed: timesUsed === 0 ? 0 : timeBetween(rng, timeCreated, now), timeLastModified, timesUsed };
}

export function generateAddresses(rng: SeededRandom, count: number, now: number): SeedRecord[] {
  const guids = new GuidAllocator(rng);
  const records: SeedRecord[] = [];
  for (let i = 0; i < count; i++) {
    const given = rng.pick(FIRST_NAMES);
    const additional = rng.chance(0.2) ? rng.pick(FIRST_NAMES) : '';
    const family = rng.pick(LAST_NAMES);
    const place = rng.pick(LOCALITIES);
    const street = rng.pick(place.streets);
    const houseNumber = rng.int(1, 240);
    const line1 = place.numberFirst ? `${houseNumber} ${street}` : `${street} ${houseNumber}`;
    const streetAddress = rng.chance(0.25) ? `${line1}\n${place.numberFirst ? `Apt ${rng.int(1, 40)}` : `${rng.int(1, 5)}. OG`}` : line1;
    records.push({
      cleartext: {
        id: guids.next(),
        entry: {
          name: [given, additional, family].filter(Boolean).join(' '),
          'given-name': given,
          'additional-name': additional,
          'family-name': family,
          organization: rng.pick(ORGANIZATIONS),
          'street-address': streetAddress,
          'address-level3': '',
          'address-level2': place.city,
          'address-level1': place.region,
          'postal-code': place.postalCode,
          country: place.country,
          tel: `${place.phone}${rng.string('0123456789', place.phoneDigits)}`,
          email: emailAddress(rng, given, family),
          ...usageTimes(rng, now),
          version: ADDRESS_ENTRY_VERSION,
        },
      },
    });
  }
  return records;
}

export function generateCreditCards(rng: SeededRandom, count: number, now: number): SeedRecord[] {
  const guids = new GuidAllocator(rng);
  const records: SeedRecord[] = [];
  const thisYear = new Date(now).getUTCFullYear();
  for (let i = 0; i < count; i++) {
    const network = rng.pick(CARD_NETWORKS);
    records.push({
      cleartext: {
        id: guids.next(),
        entry: {
          'cc-name': `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`,
          'cc-number': cardNumber(rng, rng.pick(network.prefixes), network.length),
          'cc-exp-month': rng.int(1, 12),
          'cc-exp-year': rng.int(thisYear, thisYear + 5),
          'cc-type': network.type,
          ...usageTimes(rng, now),
          version: CREDIT_CARD_ENTRY_VERSION,
        },
      },
    });
  }
  return records;
}

function cardNumber(rng: SeededRandom, prefix: string, length: number): string {
  const body = prefix + rng.string('0123456789', length - prefix.length - 1);
  return body + luhnCheckDigit(body);
}

/** The digit that makes `digits` + it pass the Luhn check. */
function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    // Counting from the check digit's position, every second digit is doubled: here the even offsets.
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}
