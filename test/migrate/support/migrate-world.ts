/**
 * Two sandboxes as self-hosters run them: "mozilla" (accounts server, tokenserver, storage) and
 * "selfhosted" (a tokenserver trusting mozilla's accounts server, and its own storage node), a
 * scratch database, and the daemon's real account service, backup engine and migration service.
 * What arrives on the target is read raw from the self-hosted storage node (as its operator could)
 * and decrypted here with the target's kB alone, through sync-crypto's vector-checked primitives.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decryptPayload, fromHex, parseEncryptedPayload, parseSyncKey, rootBundleFromKb, rootBundleFromSyncKey, bundleFromBase64Pair, bundleToBase64Pair, legacyUsername, type KeyBundle } from '@syncvault/sync-crypto';
import { AccountService, type AccountView } from '@syncvault/daemon/accounts';
import { BackupEngine } from '@syncvault/daemon/backup';
import { MigrationService } from '@syncvault/daemon/migrate';
import { createPrismaClient, type PrismaClient } from '@syncvault/daemon/store';
import { KeyCustody, Vault } from '@syncvault/daemon/vault';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '@syncvault/sandbox';
import { createMigratedDatabase, type ScratchDatabase } from '../../support/postgres.js';
import { sandboxControl } from '../../support/sandbox-control.js';
import type { AccountSummary as SandboxAccountSummary } from '../../conformance/support/storage.js';

export type { SandboxAccountSummary };

export type SeedChoice = 'demo' | 'none' | Record<string, number | boolean>;

/** A record as the storage node holds it. */
export interface RawRecord {
  id: string;
  modified: number;
  sortindex?: number;
  payload: string;
  expiresAt?: number;
}

let counter = 0;
export function uniqueLabel(label: string): string {
  counter += 1;
  return `${label}-${process.pid}-${counter}-${randomBytes(3).toString('hex')}`;
}

export class MigrateWorld {
  readonly accounts: AccountService;
  readonly keyCustody: KeyCustody;
  readonly vault: Vault;
  readonly backup: BackupEngine;
  readonly service: MigrationService;

  readonly vaultKey = randomBytes(32);

  private constructor(
    readonly mozilla: RunningSandbox,
    readonly selfhosted: RunningSandbox,
    readonly database: ScratchDatabase,
    readonly prisma: PrismaClient,
  ) {
    this.vault = new Vault(this.vaultKey);
    this.keyCustody = new KeyCustody(prisma, this.vault);
    this.accounts = new AccountService({ prisma, vault: this.vault, keyCustody: this.keyCustody, retry: { timeScale: 0.01 } });
    this.backup = new BackupEngine({ prisma, databaseUrl: database.url, keyCustody: this.keyCustody });
    this.service = new MigrationService({ prisma, databaseUrl: database.url, accounts: this.accounts, keyCustody: this.keyCustody, vault: this.vault, backup: this.backup });
  }

  static async start(options: { selfhosted?: Omit<SandboxOptions, 'accountsServer'> } = {}): Promise<MigrateWorld> {
    const mozilla = await startSandbox({ tokenSecret: 'migrate tests: mozilla' });
    const selfhosted = await startSandbox({ tokenSecret: 'migrate tests: self-hosted', ...options.selfhosted, accountsServer: mozilla.urls.fxa });
    const database = createMigratedDatabase('syncvault_migrate');
    return new MigrateWorld(mozilla, selfhosted, database, createPrismaClient(database.url));
  }

  async close(): Promise<void> {
    this.accounts.close();
    await this.prisma.$disconnect();
    await this.selfhosted.close();
    await this.mozilla.close();
    this.database.drop();
  }

  control<T = unknown>(sandbox: RunningSandbox, method: string, path: string, body?: unknown): Promise<T> {
    return sandboxControl<T>(sandbox.urls.control, method, path, body);
  }

  /** An account at "mozilla" (FxA) or on its 1.1 server, seeded as asked. */
  createAccount(kind: 'fxa' | 'legacy11', label: string, seed: SeedChoice, extra: { kB?: string } = {}): Promise<SandboxAccountSummary> {
    return this.control<SandboxAccountSummary>(this.mozilla, 'POST', '/accounts', { kind, email: `${uniqueLabel(label)}@migrate.test`, password: `pw-${randomBytes(6).toString('hex')}`, seed, ...extra });
  }

  /** Adds a sandbox FxA account to Syncvault, its storage at `tokenServer` (mozilla's by default). */
  async addFxa(account: SandboxAccountSummary, tokenServer = this.mozilla.urls.tokenServer): Promise<AccountView> {
    const step = await this.accounts.beginAdd({ name: uniqueLabel('fxa'), kind: 'selfhosted15', email: account.email, password: account.password, fxaUrl: this.mozilla.urls.fxa, tokenServerUrl: tokenServer });
    assert.equal(step.status, 'done', JSON.stringify(step));
    return (step as { account: AccountView }).account;
  }

  async addLegacy(account: SandboxAccountSummary): Promise<AccountView> {
    const step = await this.accounts.beginAdd({ name: uniqueLabel('legacy'), kind: 'legacy11', email: account.email, password: account.password, syncKey: account.syncKey ?? '', serverUrl: this.mozilla.urls.storage11 });
    assert.equal(step.status, 'done', JSON.stringify(step));
    return (step as { account: AccountView }).account;
  }

  /** Writes records as another Firefox would, on mozilla's side. */
  async writeRecords(email: string, changes: { collection: string; upsert?: Array<Record<string, unknown>>; tombstone?: string[]; ttl?: number }): Promise<void> {
    await this.control(this.mozilla, 'POST', `/accounts/${encodeURIComponent(email)}/records`, changes);
  }

  /** The mozilla sandbox's own decryption of a collection of a source account. */
  sourceRecords(email: string, collection: string): Promise<Array<{ id: string; cleartext: Record<string, unknown> | null }>> {
    return this.control(this.mozilla, 'GET', `/accounts/${encodeURIComponent(email)}/records/${encodeURIComponent(collection)}`);
  }

  /** What the self-hosted storage node holds for the FxA user `uid`, raw. */
  targetRaw(uid: string, collection: string): Promise<RawRecord[]> {
    return this.control<RawRecord[]>(this.selfhosted, 'GET', `/storage-users/${encodeURIComponent(uid)}/records/${encodeURIComponent(collection)}`);
  }

  targetCollections(uid: string): Promise<Record<string, number>> {
    return this.control<Record<string, number>>(this.selfhosted, 'GET', `/storage-users/${encodeURIComponent(uid)}/collections`);
  }
}

/**
 * A client that knows only kB (or, for a 1.1 account, the Sync Key): opens crypto/keys with the
 * root bundle, then every record with the bulk keys, HMAC first (sync-crypto's decryptPayload).
 * Throws on the first record that does not open.
 */
export class KeyOnlyReader {
  private constructor(private readonly bulk: { default: KeyBundle; collections: Map<string, KeyBundle> }) {}

  static fromCryptoKeys(cryptoKeysPayload: string, root: KeyBundle): KeyOnlyReader {
    const keys = JSON.parse(decryptPayload(root, parseEncryptedPayload(cryptoKeysPayload))) as { default: unknown; collections?: Record<string, unknown> };
    return new KeyOnlyReader({
      default: bundleFromBase64Pair(keys.default),
      collections: new Map(Object.entries(keys.collections ?? {}).map(([name, pair]) => [name, bundleFromBase64Pair(pair)])),
    });
  }

  static rootFromKb(kBHex: string): KeyBundle {
    return rootBundleFromKb(fromHex(kBHex));
  }

  static rootFromSyncKey(syncKey: string, email: string): KeyBundle {
    return rootBundleFromSyncKey(parseSyncKey(syncKey), legacyUsername(email));
  }

  defaultPair(): [string, string] {
    return bundleToBase64Pair(this.bulk.default);
  }

  decrypt(collection: string, payload: string): Record<string, unknown> {
    const bundle = this.bulk.collections.get(collection) ?? this.bulk.default;
    return JSON.parse(decryptPayload(bundle, parseEncryptedPayload(payload))) as Record<string, unknown>;
  }
}
