import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_DATABASE_URL } from '../store/prisma.js';

/** Everything the daemon and the CLI read from the environment, validated once at start-up. */
export interface SyncvaultConfig {
  databaseUrl: string;
  redisUrl: string;
  /** Prefix of every Redis key (BullMQ queues); lets several installations share one Redis. */
  redisPrefix: string;
  /** SYNCVAULT_MASTER_KEY, if set (never logged). */
  masterKey: string | undefined;
  masterKeyFile: string | undefined;
  /** Where the demo keeps its generated vault key and credentials. */
  dataDir: string;
  host: string;
  port: number;
  /** Path the API is served under, e.g. `/syncvault` behind a reverse proxy; '' = root. */
  basePath: string;
  logFormat: 'json' | 'text';
  /**
   * Proxies whose X-Forwarded-For names the client (the dashboard, a reverse proxy): addresses,
   * CIDR ranges or the keywords loopback, linklocal, uniquelocal. Sign-in throttling counts per
   * client address, so behind an untrusted proxy every browser would share one.
   */
  trustedProxies: string[];
  /** Run BullMQ workers in this process (false: API only; workers run elsewhere). */
  workers: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

function url(env: Env, name: string, fallback: string, protocols: string[]): string {
  const value = text(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a URL`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(`${name} must be a ${protocols.join(' or ')} URL`);
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = text(env, name, String(fallback));
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}`);
  return Number(value);
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const value = text(env, name, fallback ? 'true' : 'false').toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false`);
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const value = text(env, name, fallback);
  if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

const PROXY_KEYWORDS = ['loopback', 'linklocal', 'uniquelocal'];

function proxyList(env: Env, name: string, fallback: string): string[] {
  const entries = text(env, name, fallback)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!PROXY_KEYWORDS.includes(entry) && (family === 0 || !prefixOk || rest.length > 0)) {
      throw new ConfigError(`${name} must list IP addresses, CIDR ranges or ${PROXY_KEYWORDS.join(', ')}, separated by commas (bad entry: ${entry})`);
    }
  }
  return entries;
}

export function defaultDataDir(env: Env): string {
  const xdg = env['XDG_DATA_HOME'];
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.local', 'share'), 'syncvault');
}

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): SyncvaultConfig {
  const basePath = text(env, 'SYNCVAULT_BASE_PATH', '');
  if (basePath !== '' && !/^\/[A-Za-z0-9._~/-]*[^/]$/.test(basePath)) throw new ConfigError('SYNCVAULT_BASE_PATH must start with / and not end with one, e.g. /syncvault');
  const dataDir = text(env, 'SYNCVAULT_DATA_DIR', defaultDataDir(env));
  const masterKeyFile = env['SYNCVAULT_MASTER_KEY_FILE']?.trim() || undefined;
  return {
    databaseUrl: url(env, 'DATABASE_URL', DEFAULT_DATABASE_URL, ['postgresql:', 'postgres:']),
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    redisPrefix: text(env, 'SYNCVAULT_REDIS_PREFIX', 'syncvault'),
    masterKey: env['SYNCVAULT_MASTER_KEY']?.trim() || undefined,
    masterKeyFile: masterKeyFile === undefined ? undefined : isAbsolute(masterKeyFile) ? masterKeyFile : resolve(masterKeyFile),
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(dataDir),
    host: text(env, 'SYNCVAULT_HOST', '127.0.0.1'),
    port: integer(env, 'SYNCVAULT_PORT', 8787, 0, 65535),
    basePath,
    logFormat: oneOf(env, 'SYNCVAULT_LOG_FORMAT', 'text', ['json', 'text'] as const),
    trustedProxies: proxyList(env, 'SYNCVAULT_TRUSTED_PROXIES', 'loopback'),
    workers: flag(env, 'SYNCVAULT_WORKERS', true),
  };
}
