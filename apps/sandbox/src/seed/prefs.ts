import type { SeedCollection } from '../contracts.js';
import { FIREFOX_DESKTOP_APP_ID } from './ids.js';
import type { SeededRandom } from './random.js';

type SeedRecord = SeedCollection['records'][number];

/**
 * The one prefs record's id: desktop's `CommonUtils.encodeBase64URL(Services.appinfo.ID)`,
 * which keeps the `=` padding.
 */
export const DESKTOP_PREFS_ID = Buffer.from(FIREFOX_DESKTOP_APP_ID, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

/** Prefs engine v2: one record holding every synced pref; `null` means "reset to default". */
export function generatePrefs(rng: SeededRandom): SeedRecord[] {
  const value: Record<string, string | number | boolean | null> = {
    'browser.startup.page': rng.pick([1, 3]),
    'browser.startup.homepage': rng.pick(['about:home', 'https://start.duckduckgo.com/', 'https://www.mozilla.org/']),
    'browser.newtabpage.activity-stream.showSponsored': false,
    'browser.newtabpage.activity-stream.showSponsoredTopSites': false,
    'browser.newtabpage.activity-stream.feeds.topsites': rng.chance(0.7),
    'browser.urlbar.suggest.searches': rng.chance(0.5),
    'browser.urlbar.suggest.bookmark': true,
    'browser.contentblocking.category': rng.pick(['standard', 'strict']),
    'privacy.donottrackheader.enabled': rng.chance(0.4),
    'privacy.globalprivacycontrol.enabled': rng.chance(0.3),
    'general.autoScroll': rng.chance(0.5),
    'general.smoothScroll': rng.chance(0.8),
    'layout.spellcheckDefault': rng.pick([0, 1, 2]),
    'browser.tabs.warnOnClose': rng.chance(0.5),
    'browser.download.useDownloadDir': rng.chance(0.6),
    'extensions.activeThemeID': rng.pick(['default-theme@mozilla.org', 'firefox-compact-dark@mozilla.org', 'firefox-alpenglow@mozilla.org']),
    'media.autoplay.default': rng.pick([0, 1, 5]),
    'signon.rememberSignons': true,
    // Reset on the uploading device: other devices reset it too.
    'intl.accept_languages': null,
  };
  return [{ cleartext: { id: DESKTOP_PREFS_ID, value } }];
}
