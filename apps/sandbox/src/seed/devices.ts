import type { SeedCollection } from '../contracts.js';
import { FIREFOX_DESKTOP_APP_ID, GuidAllocator, generateFxaDeviceId } from './ids.js';
import { FIRST_NAMES } from './people.js';
import type { SeededRandom } from './random.js';
import { DAY_MS } from './time.js';
import { faviconFor, randomWebPage } from './web.js';

type SeedRecord = SeedCollection['records'][number];

/** application-services' CLIENTS_TTL: 180 days, refreshed weekly. */
export const CLIENTS_TTL_SECONDS = 15_552_000;
/** application-services' tabs TTL: 180 days. */
export const TABS_TTL_SECONDS = 15_552_000;

/** Mobile Firefox moves tabs unused for this long to "inactive tabs". */
const INACTIVE_AFTER_MS = 14 * DAY_MS;

type Platform = 'windows' | 'macos' | 'linux' | 'android' | 'ios';

/** One signed-in Firefox: a clients record, and a tabs record if it syncs tabs. */
export interface Device {
  id: string;
  name: string;
  platform: Platform;
  fxaDeviceId: string;
  version: string;
  /** Phone model, for mobile devices. */
  model?: string;
}

const DESKTOP_VERSIONS = ['133.0.3', '134.0', '134.0.1', '128.6.0'] as const;
const MOBILE_VERSIONS = ['133.0.1', '134.0', '134.1.0'] as const;
const ANDROID_MODELS = ['Google Pixel 8', 'Google Pixel 7a', 'samsung SM-S911B', 'OnePlus CPH2449', 'Fairphone FP5'] as const;

/**
 * `count` devices of one user, the first a desktop. Desktop uses a 12-character client GUID;
 * application-services clients use their FxA device id as client id.
 */
export function generateDevices(rng: SeededRandom, count: number): Device[] {
  const guids = new GuidAllocator(rng);
  const owner = rng.pick(FIRST_NAMES);
  const devices: Device[] = [];
  for (let i = 0; i < count; i++) {
    const platform: Platform = i === 0 ? rng.pick(['windows', 'macos', 'linux'] as const) : rng.weighted([['windows', 25], ['macos', 15], ['linux', 10], ['android', 35], ['ios', 15]] as const);
    const fxaDeviceId = generateFxaDeviceId(rng);
    switch (platform) {
      case 'android': {
        const model = rng.pick(ANDROID_MODELS);
        devices.push({ id: fxaDeviceId, name: `Firefox on ${model}`, platform, fxaDeviceId, version: rng.pick(MOBILE_VERSIONS), model });
        break;
      }
      case 'ios':
        devices.push({ id: fxaDeviceId, name: `${owner}’s Firefox on iPhone`, platform, fxaDeviceId, version: rng.pick(MOBILE_VERSIONS), model: 'iPhone' });
        break;
      default:
        devices.push({ id: guids.next(), name: `${owner}’s Firefox on ${desktopHostName(rng, platform, owner)}`, platform, fxaDeviceId, version: rng.pick(DESKTOP_VERSIONS) });
    }
  }
  return devices;
}

function desktopHostName(rng: SeededRandom, platform: Platform, owner: string): string {
  if (platform === 'windows') return `DESKTOP-${rng.string('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 7)}`;
  if (platform === 'macos') return `${owner}s-${rng.pick(['MacBook-Pro', 'MacBook-Air', 'iMac', 'Mac-mini'])}`;
  return rng.pick(['thinkpad', 'fedora', 'framework', 'archlinux', 'ubuntu-desktop']);
}

function isMobile(device: Device): boolean {
  return device.platform === 'android' || device.platform === 'ios';
}

/**
 * Clients records as each kind of Firefox writes its own: desktop fills os, appPackage and
 * application but never formfactor or device; mobile clients fill those too.
 */
export function generateClients(devices: readonly Device[]): SeedRecord[] {
  return devices.map((device) => {
    const common = {
      id: device.id,
      name: device.name,
      type: isMobile(device) ? 'mobile' : 'desktop',
      commands: [],
      fxaDeviceId: device.fxaDeviceId,
      version: device.version,
      protocols: ['1.5'],
    };
    const cleartext =
      device.platform === 'android'
        ? { ...common, os: 'Android', appPackage: 'org.mozilla.firefox', application: 'Firefox', formfactor: 'phone', device: device.model }
        : device.platform === 'ios'
          ? { ...common, os: 'iOS', appPackage: 'org.mozilla.ios.Firefox', application: 'Firefox', formfactor: 'phone', device: device.model }
          : { ...common, os: { windows: 'WINNT', macos: 'Darwin', linux: 'Linux' }[device.platform], appPackage: FIREFOX_DESKTOP_APP_ID, application: 'Firefox' };
    return { cleartext, ttl: CLIENTS_TTL_SECONDS };
  });
}

/** One tabs record per device, id = that device's client id; lastUsed in seconds. */
export function generateTabs(rng: SeededRandom, devices: readonly Device[], now: number): SeedRecord[] {
  return devices.map((device) => {
    const mobile = isMobile(device);
    const tabCount = mobile ? rng.skewedInt(1, 80, 2) : rng.skewedInt(1, 40, 2);
    const pinnedCount = mobile ? 0 : rng.skewedInt(0, 3, 2);
    const tabs: Record<string, unknown>[] = [];
    for (let i = 0; i < tabCount; i++) {
      const current = randomWebPage(rng);
      const earlierUrls = Array.from({ length: rng.skewedInt(0, 2, 2) }, () => randomWebPage(rng).url);
      const lastUsedMs = now - rng.skewedInt(0, (mobile ? 90 : 30) * DAY_MS, 3);
      tabs.push({
        title: current.title,
        urlHistory: [current.url, ...earlierUrls],
        icon: rng.chance(0.85) ? faviconFor(current.url) : null,
        lastUsed: Math.floor(lastUsedMs / 1000),
        // application-services omits both flags when false.
        ...(mobile && now - lastUsedMs > INACTIVE_AFTER_MS ? { inactive: true } : {}),
        ...(i < pinnedCount ? { pinned: true } : {}),
      });
    }
    return { cleartext: { id: device.id, clientName: device.name, tabs }, ttl: TABS_TTL_SECONDS };
  });
}
