/**
 * One Fastify process standing in for Mozilla's whole Sync stack: the Firefox Accounts auth
 * server (`/fxa`), the tokenserver (`/token`), a Sync 1.5 storage node (`/storage`), a legacy
 * Sync 1.1 server with its user API (`/weave`), and the control API (`/__sandbox__`), all of them
 * optionally under one path prefix.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { toHex } from '@syncvault/sync-crypto';
import { DEFAULT_STORAGE_LIMITS, type StorageLimits } from './contracts.js';
import { AccountRegistry } from './accounts/registry.js';
import { OAuthAuthority } from './accounts/oauth.js';
import { registerAccountsServer } from './accounts/server.js';
import { Throttle } from './accounts/throttle.js';
import { registerControl, validSeedSizeFields } from './control.js';
import { FaultInjector, registerFaultInjection } from './faults.js';
import { AccountProvisioner, type SeedSource } from './provisioning.js';
import { DEMO_SEED_SIZE, EMPTY_SEED_SIZE, generateMetaGlobal, generateSeed, type SeedSize } from './seed/index.js';
import { flatSettings, groupedSettings } from './settings.js';
import { StorageEngine } from './storage/engine.js';
import { DEFAULT_STORAGE11_QUIRKS, registerStorage11 } from './storage/storage11.js';
import { DEFAULT_STORAGE15_QUIRKS, registerStorage15 } from './storage/storage15.js';
import { registerTokenserver } from './tokenserver/server.js';
import { TokenserverUsers } from './tokenserver/users.js';
import { localVerifier, remoteVerifier } from './tokenserver/verifier.js';

export interface SandboxOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** "demo" creates a seeded FxA account and a seeded legacy 1.1 account; default "none". */
  seed?: 'demo' | 'none';
  /** Overrides DEMO_SEED_SIZE fields for the demo accounts. */
  seedSize?: Partial<SeedSize>;
  /** tokenlib master secret shared by tokenserver and storage node; random unless given (required with storageNode). */
  tokenSecret?: string;
  /** Mint tokens for this external Sync 1.5 node (e.g. a real syncstorage-rs) instead of the built-in one. */
  storageNode?: string;
  /** Verify OAuth tokens with this accounts server (`<url>/v1/oauth/verify`) instead of the built-in one. */
  accountsServer?: string;
  /**
   * Mounts every server under this path (e.g. `/ffsync`), as a self-hosted server behind a
   * reverse proxy at a path prefix: URLs handed out include it, Hawk covers it, paths without it 404.
   */
  pathPrefix?: string;
  limits?: Partial<StorageLimits>;
  /** The storage servers' clock in ms (default Date.now): tests move it to expire ttl records. */
  now?: () => number;
  logger?: boolean;
}

export interface SandboxUrls {
  /** Auth server base, without /v1. */
  fxa: string;
  /** Full token endpoint, …/token/1.0/sync/1.5. */
  tokenServer: string;
  /** Storage 1.5 node base; api_endpoint = `<storage15>/1.5/<uid>`. */
  storage15: string;
  /** Legacy 1.1 server: user API at `<storage11>/user/1.0`, storage at `<storage11>/1.1`. */
  storage11: string;
  control: string;
}

export interface SandboxAccount {
  kind: 'fxa' | 'legacy11';
  email: string;
  password: string;
  /** Legacy accounts: the Sync Key, friendly base32 with dashes. */
  syncKey?: string;
}

export interface RunningSandbox {
  urls: SandboxUrls;
  /** The accounts created at startup (the demo accounts). */
  accounts: SandboxAccount[];
  engine: StorageEngine;
  registry: AccountRegistry;
  close(): Promise<void>;
}

export const DEMO_FXA_EMAIL = 'demo@syncvault.test';
export const DEMO_LEGACY_EMAIL = 'legacy@syncvault.test';

const FXA_PATH = '/fxa';
const TOKEN_PATH = '/token';
const STORAGE15_PATH = '/storage';
const STORAGE11_PATH = '/weave';
const CONTROL_PATH = '/__sandbox__';
/** The storage servers answer oversized requests themselves (413 per the configured limits); Fastify must not cut in first. */
const BODY_LIMIT_BYTES = 1024 * 1024 * 1024;

function originOf(app: { server: { address(): AddressInfo | string | null } }, host: string): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the sandbox is not listening on a TCP port');
  const reachableHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachableHost.includes(':') ? `[${reachableHost}]` : reachableHost}:${address.port}`;
}

/** A path prefix as a reverse proxy would add it: `/a` or `/a/b`, no trailing slash, no query or fragment. */
export function validPathPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  if (!prefix.startsWith('/') || prefix.endsWith('/') || /[?#]/.test(prefix) || prefix.includes('//')) {
    throw new Error(`path prefix ${JSON.stringify(prefix)} must start with "/" and have no trailing "/", "//", "?" or "#"`);
  }
  return prefix;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  if (options.storageNode && !options.tokenSecret) {
    throw new Error('storageNode needs tokenSecret: the master secret that node checks tokens with');
  }
  const base = validPathPrefix(options.pathPrefix ?? '');
  const fxaPrefix = `${base}${FXA_PATH}`;
  const tokenPrefix = `${base}${TOKEN_PATH}`;
  const storage15Prefix = `${base}${STORAGE15_PATH}`;
  const storage11Prefix = `${base}${STORAGE11_PATH}`;
  const controlPrefix = `${base}${CONTROL_PATH}`;
  const host = options.host ?? '127.0.0.1';
  const tokenSecret = options.tokenSecret ?? toHex(randomBytes(32));
  const demoSize: SeedSize = { ...DEMO_SEED_SIZE, ...validSeedSizeFields(options.seedSize ?? {}, EMPTY_SEED_SIZE) };
  // Every URL handed out depends on the port, which is only known once listening.
  let origin = '';
  const storageNode = () => options.storageNode?.replace(/\/+$/, '') ?? `${origin}${storage15Prefix}`;

  const app = Fastify({ logger: options.logger ?? false, bodyLimit: BODY_LIMIT_BYTES });
  const registry = new AccountRegistry();
  const oauth = new OAuthAuthority(registry, () => `${origin}${fxaPrefix}`);
  const throttle = new Throttle();
  const tokenUsers = new TokenserverUsers(() => registry.allocateStorageUid());
  const engine = new StorageEngine(options.now ? { now: options.now } : {});
  const limits = flatSettings({ ...DEFAULT_STORAGE_LIMITS, ...options.limits });
  const quirks = groupedSettings(
    { storage15: { ...DEFAULT_STORAGE15_QUIRKS }, storage11: { ...DEFAULT_STORAGE11_QUIRKS } },
    (name, value) => name !== 'timestampDecimals' || value === 0 || value === 1 || value === 2,
  );
  const seeds: SeedSource<SeedSize> = {
    demoSize: DEMO_SEED_SIZE,
    emptySize: EMPTY_SEED_SIZE,
    collections: (seedName, size) => generateSeed(seedName, size),
    metaGlobal: (seedName) => generateMetaGlobal(seedName),
  };
  const provisioner = new AccountProvisioner(registry, tokenUsers, engine, seeds, options.storageNode === undefined);

  // First, so that its hooks see every request of every server.
  registerFaultInjection(app, new FaultInjector(), controlPrefix);
  await registerAccountsServer(app, {
    prefix: fxaPrefix,
    registry,
    oauth,
    throttle,
    publicUrl: () => `${origin}${fxaPrefix}`,
    tokenServerUrl: () => `${origin}${tokenPrefix}`,
  });
  await registerTokenserver(app, {
    prefix: tokenPrefix,
    verifier: options.accountsServer ? remoteVerifier(options.accountsServer) : localVerifier(oauth),
    users: tokenUsers,
    tokenSecret,
    nodeUrl: storageNode,
  });
  if (options.storageNode === undefined) {
    registerStorage15(app, {
      prefix: storage15Prefix,
      engine,
      tokenSecret,
      limits: () => limits.current(),
      quirks: () => quirks.current().storage15,
    });
  }
  registerStorage11(app, {
    prefix: storage11Prefix,
    engine,
    directory: registry,
    publicUrl: () => origin,
    quirks: () => quirks.current().storage11,
  });
  await registerControl(app, { prefix: controlPrefix, provisioner, throttle, limits, quirks });

  const accounts: SandboxAccount[] = [];
  if (options.seed === 'demo') {
    const password = () => `demo-${toHex(randomBytes(6))}`;
    const fxa = provisioner.create({ kind: 'fxa', email: DEMO_FXA_EMAIL, password: password(), seed: options.storageNode ? 'none' : demoSize });
    const legacy = provisioner.create({ kind: 'legacy11', email: DEMO_LEGACY_EMAIL, password: password(), seed: demoSize });
    accounts.push(
      { kind: fxa.kind, email: fxa.email, password: fxa.password },
      { kind: legacy.kind, email: legacy.email, password: legacy.password, ...(legacy.syncKey ? { syncKey: legacy.syncKey } : {}) },
    );
  }

  await app.listen({ host, port: options.port ?? 0 });
  origin = originOf(app, host);
  return {
    urls: {
      fxa: `${origin}${fxaPrefix}`,
      tokenServer: `${origin}${tokenPrefix}/1.0/sync/1.5`,
      storage15: storageNode(),
      storage11: `${origin}${storage11Prefix}`,
      control: `${origin}${controlPrefix}`,
    },
    accounts,
    engine,
    registry,
    close: () => app.close(),
  };
}

/** What a started sandbox announces; `JSON.stringify` of it is the one line the CLI prints. */
export interface SandboxBanner {
  fxa: string;
  tokenServer: string;
  storage15: string;
  storage11: string;
  accounts: SandboxAccount[];
}

export function sandboxBanner(running: RunningSandbox): SandboxBanner {
  return {
    fxa: running.urls.fxa,
    tokenServer: running.urls.tokenServer,
    storage15: running.urls.storage15,
    storage11: running.urls.storage11,
    accounts: running.accounts.map(({ kind, email, password, syncKey }) => ({
      kind,
      email,
      password,
      ...(syncKey !== undefined ? { syncKey } : {}),
    })),
  };
}
