import { generateSyncId } from './ids.js';
import { SeededRandom } from './random.js';

export const STORAGE_VERSION = 5;

/** The engine versions current clients write into a fresh meta/global (application-services' defaults). */
export const ENGINE_VERSIONS: Readonly<Record<string, number>> = {
  passwords: 1,
  clients: 1,
  addons: 1,
  addresses: 1,
  bookmarks: 2,
  creditcards: 1,
  forms: 1,
  history: 1,
  prefs: 2,
  tabs: 1,
};

export interface MetaGlobalOptions {
  /** Engines listed as declined; they get no `engines` entry, as a client declining them writes. */
  declined?: string[];
  /** Engines to enable; default every engine of ENGINE_VERSIONS. */
  engines?: string[];
}

/**
 * The cleartext of meta/global as a client's fresh start uploads it. syncIDs derive from the
 * seed, so one seed always describes the same account; each engine's syncID depends only on
 * the seed and its name.
 */
export function generateMetaGlobal(seed: string, options: MetaGlobalOptions = {}): Record<string, unknown> & { id: 'global' } {
  const declined = [...(options.declined ?? [])];
  for (const name of declined) engineVersion(name);
  const rng = new SeededRandom(seed).fork('meta/global');
  const engines: Record<string, { version: number; syncID: string }> = {};
  for (const name of options.engines ?? Object.keys(ENGINE_VERSIONS)) {
    const version = engineVersion(name);
    if (!declined.includes(name)) engines[name] = { version, syncID: generateSyncId(rng.fork(name)) };
  }
  return { id: 'global', syncID: generateSyncId(rng), storageVersion: STORAGE_VERSION, engines, declined };
}

function engineVersion(name: string): number {
  const version = ENGINE_VERSIONS[name];
  if (version === undefined) throw new RangeError(`unknown Sync engine: ${name}`);
  return version;
}
