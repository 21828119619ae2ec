import type { SeededRandom } from './random.js';

export const FIRST_NAMES = [
  'Alice', 'Bob', 'Carla', 'David', 'Emma', 'Farid', 'Greta', 'Hiroshi', 'Ines', 'Jonas', 'Kaja', 'Luis',
  'Mia', 'Noah', 'Olga', 'Pedro', 'Quinn', 'Rosa', 'Sven', 'Tanja', 'Uma', 'Viktor', 'Wen', 'Yusuf', 'Zoë',
] as const;

export const LAST_NAMES = [
  'Müller', 'Smith', 'García', 'Nguyen', 'Kowalski', 'Rossi', 'Tanaka', 'Dubois', 'Johansson', 'Okafor',
  'Schmidt', 'Brown', 'Silva', 'Novak', 'Hansen', 'Yılmaz', 'Ivanova', 'Kim', 'Fischer', 'Wilson',
] as const;

const MAIL_DOMAINS = ['gmail.com', 'outlook.com', 'proton.me', 'gmx.de', 'web.de', 'icloud.com', 'yahoo.com', 'posteo.de', 'example.org'] as const;

/** ASCII-only local part, as mail providers require. */
function asciiLower(text: string): string {
  return text.normalize('NFKD').replace(/[^A-Za-z]/g, '').toLowerCase();
}

export function emailAddress(rng: SeededRandom, first = rng.pick(FIRST_NAMES), last = rng.pick(LAST_NAMES)): string {
  const separator = rng.pick(['.', '_', '']);
  const suffix = rng.chance(0.4) ? String(rng.int(1, 99)) : '';
  return `${asciiLower(first)}${separator}${asciiLower(last)}${suffix}@${rng.pick(MAIL_DOMAINS)}`;
}
