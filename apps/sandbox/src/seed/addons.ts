import type { SeedCollection } from '../contracts.js';
import { FIREFOX_DESKTOP_APP_ID, GuidAllocator, generateUuid } from './ids.js';
import type { SeededRandom } from './random.js';

type SeedRecord = SeedCollection['records'][number];

/** Popular add-ons from addons.mozilla.org with their real add-on IDs. */
const POPULAR_ADDON_IDS = [
  'uBlock0@raymondhill.net',
  '{446900e4-71c2-419f-a6a7-df9c091e268b}', // Bitwarden
  'addon@darkreader.org',
  '@testpilot-containers', // Multi-Account Containers
  'jid1-MnnxcxisBPnSXQ@jetpack', // Privacy Badger
  '{73a6fe31-595d-460b-a920-fcc0f8843232}', // NoScript
  'treestyletab@piro.sakura.ne.jp',
  'sponsorBlocker@ajay.app',
  '@contain-facebook',
  '{7a7a4a92-a2a0-41d1-9fd7-1e92480d612d}', // Stylus
  'jid1-BoFifL9Vbdl2zQ@jetpack', // Decentraleyes
  '{d634138d-c276-4fc8-924b-40a0ea21d284}', // 1Password
  'languagetool-webextension@languagetool.org',
  '{3c078156-979c-498b-8990-85f7987dd929}', // Sidebery
] as const;

/**
 * One record per installed AMO add-on, id = the add-on's sync GUID. Beyond the popular list,
 * add-ons get braced-UUID ids, the form most AMO uploads use.
 */
export function generateAddons(rng: SeededRandom, count: number): SeedRecord[] {
  const guids = new GuidAllocator(rng);
  const addonIds: string[] = rng.sample(POPULAR_ADDON_IDS, count);
  while (addonIds.length < count) addonIds.push(`{${generateUuid(rng)}}`);
  return addonIds.map((addonID) => ({
    cleartext: { id: guids.next(), addonID, applicationID: FIREFOX_DESKTOP_APP_ID, enabled: rng.chance(0.85), source: 'amo' },
  }));
}
