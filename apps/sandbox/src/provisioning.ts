import { randomBytes } from 'node:crypto';
import {
  bundleFromBase64Pair,
  bundleToBase64Pair,
  clientStateFromKb,
  decryptPayload,
  encryptCleartext,
  formatSyncKey,
  keyBundle,
  parseEncryptedPayload,
  rootBundleFromKb,
  rootBundleFromSyncKey,
  toHex,
  type KeyBundle,
} from '@syncvault/sync-crypto';
import type { BsoWrite, SeedCollection, StorageBackend, StoredBso, UserStore } from './contracts.js';
import type { Account, AccountGates, AccountRegistry, FxaAccount } from './accounts/registry.js';
import type { TokenserverUsers } from './tokenserver/users.js';

/** Where seed data comes from; bound to the seed generator by the assembly. */
export interface SeedSource<Size extends object> {
  demoSize: Size;
  emptySize: Size;
  collections(seedName: string, size: Size): SeedCollection[];
  /** The cleartext meta/global object for a fresh account. */
  metaGlobal(seedName: string): Record<string, unknown>;
}

/** "none" leaves storage untouched (an account that never synced); a size seeds meta/global, crypto/keys and records. */
export type SeedChoice<Size extends object> = 'none' | Size;

export interface NewAccountSpec<Size extends object> {
  kind: 'fxa' | 'legacy11';
  email: string;
  password: string;
  kB?: Buffer;
  syncKey?: Buffer;
  gates?: AccountGates;
  seed: SeedChoice<Size>;
  /** Seeds the generator; the same name and size always produce the same records. */
  seedName?: string;
}

/** What the control API and the startup banner say about an account: everything a test needs to sign in. */
export interface AccountSummary {
  kind: 'fxa' | 'legacy11';
  email: string;
  password: string;
  uid: string;
  kB?: string;
  syncKey?: string;
  username?: string;
  storageUid?: number;
  keysChangedAt?: number;
  generation?: number;
}

export interface RecordReadBack {
  id: string;
  modified: number;
  sortindex?: number;
  /** Null when the record does not decrypt with the account's current keys (e.g. written before a key rotation). */
  cleartext: Record<string, unknown> | null;
}

export class ProvisioningError extends Error {
  override readonly name = 'ProvisioningError';
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

interface CollectionKeys {
  defaultBundle: KeyBundle;
  perCollection: Map<string, KeyBundle>;
}

/**
 * Creates accounts and writes their storage the way the user's other Firefox devices would:
 * meta/global in cleartext, crypto/keys under the root bundle, every other record under the bulk
 * keys. Also remembers the passwords it handed out, since the auth server itself never stores them.
 */
export class AccountProvisioner<Size extends object> {
  private readonly passwords = new Map<string, string>();

  constructor(
    private readonly registry: AccountRegistry,
    private readonly tokenUsers: TokenserverUsers,
    private readonly storage: StorageBackend,
    private readonly seeds: SeedSource<Size>,
    /** False when tokens point at an external storage node: FxA accounts' storage is then out of reach. */
    private readonly fxaStorageIsLocal: boolean,
  ) {}

  get seedSource(): SeedSource<Size> {
    return this.seeds;
  }

  create(spec: NewAccountSpec<Size>): AccountSummary {
    const seedName = spec.seedName ?? spec.email;
    // Generated first: a seed that cannot be made must not leave a half-made account behind.
    const seedCollections = spec.seed === 'none' ? undefined : this.seeds.collections(seedName, spec.seed);
    if (seedCollections) this.assertStorageReachable(spec.kind);
    const account =
      spec.kind === 'fxa'
        ? this.registry.createFxaAccount({
            email: spec.email,
            password: spec.password,
            ...(spec.kB ? { kB: spec.kB } : {}),
            ...(spec.gates ? { gates: spec.gates } : {}),
          })
        : this.registry.createLegacyAccount({
            email: spec.email,
            password: spec.password,
            ...(spec.syncKey ? { syncKey: spec.syncKey } : {}),
          });
    this.passwords.set(account.email.toLowerCase(), spec.password);
    if (account.kind === 'fxa') this.registerKeyState(account);
    if (seedCollections) this.seed(account, seedCollections, seedName);
    return this.summary(account);
  }

  summary(account: Account): AccountSummary {
    const password = this.passwords.get(account.email.toLowerCase()) ?? '';
    if (account.kind === 'legacy11') {
      return {
        kind: account.kind,
        email: account.email,
        password,
        uid: String(account.storageUid),
        syncKey: formatSyncKey(account.syncKey),
        username: account.username,
        storageUid: account.storageUid,
      };
    }
    const storageUid = this.tokenUsers.current(account.uid)?.uid;
    return {
      kind: account.kind,
      email: account.email,
      password,
      uid: account.uid,
      kB: toHex(account.kB),
      ...(storageUid !== undefined ? { storageUid } : {}),
      keysChangedAt: account.keysChangedAt,
      generation: account.generation,
    };
  }

  accounts(): Account[] {
    return this.registry.list();
  }

  account(email: string): Account {
    const account = this.registry.byEmail(email);
    if (!account) throw new ProvisioningError(404, `no account for ${email}`);
    return account;
  }

  /** Wipes the account's current storage and fills it again. */
  reseed(account: Account, seed: SeedChoice<Size>, seedName: string = account.email): void {
    const seedCollections = seed === 'none' ? undefined : this.seeds.collections(seedName, seed);
    const store = this.store(account);
    store.wipe();
    if (seedCollections) this.seed(account, seedCollections, seedName);
  }

  /**
   * A password reset: the account gets a new kB, and the tokenserver moves the user to a fresh,
   * empty storage uid, as it does once the first device with the new kB checks in. Legacy
   * accounts only change their Basic-auth password; their Sync Key stays.
   */
  resetPassword(account: Account, password: string): void {
    this.passwords.set(account.email.toLowerCase(), password);
    if (account.kind === 'legacy11') {
      account.password = password;
      return;
    }
    this.registry.resetPassword(account, password);
    this.registerKeyState(account);
  }

  /** Uploads new random bulk keys; existing records stay encrypted under the old ones. */
  rotateKeys(account: Account): void {
    this.writeCollectionKeys(account, this.store(account), randomBundle());
  }

  /** Writes as another Firefox client would; returns the write's server timestamp (ms). */
  writeRecords(
    account: Account,
    collection: string,
    changes: { upsert?: Array<Record<string, unknown>>; tombstone?: string[]; delete?: string[]; ttl?: number },
  ): number {
    const store = this.store(account);
    let modified = 0;
    const cleartexts = [
      ...(changes.upsert ?? []),
      ...(changes.tombstone ?? []).map((id) => ({ id, deleted: true })),
    ];
    if (cleartexts.length > 0) {
      const seal = this.sealerFor(account, store, collection);
      const writes: BsoWrite[] = cleartexts.map((cleartext) => {
        if (typeof cleartext['id'] !== 'string') throw new ProvisioningError(400, 'every record needs a string id');
        return { id: cleartext['id'], payload: seal(cleartext), ...(changes.ttl !== undefined ? { ttl: changes.ttl } : {}) };
      });
      modified = store.writeRecords(collection, writes);
    }
    if (changes.delete && changes.delete.length > 0) modified = store.deleteRecords(collection, changes.delete);
    return modified;
  }

  /** Reads a collection back in cleartext, decrypting with the keys a client would use for it. */
  readRecords(account: Account, collection: string): RecordReadBack[] {
    const store = this.store(account);
    const open = this.openerFor(account, store, collection);
    return store.records(collection).map((record) => ({
      id: record.id,
      modified: record.modified,
      ...(record.sortindex !== undefined ? { sortindex: record.sortindex } : {}),
      cleartext: open(record.payload),
    }));
  }

  /**
   * A collection's live records as the storage node holds them (payloads as stored, absolute
   * expiry), for the user the tokenserver knows by this FxA uid: what an operator reads from the
   * database, with no account keys involved. The uid may belong to another accounts server.
   */
  storedRecords(fxaUid: string, collection: string): StoredBso[] {
    return this.tokenserverUserStore(fxaUid)
      .records(collection)
      .map(({ id, modified, sortindex, payload, expiresAt }) => ({
        id,
        modified,
        ...(sortindex !== undefined ? { sortindex } : {}),
        payload,
        ...(expiresAt !== undefined ? { expiresAt } : {}),
      }));
  }

  /** Live record counts per collection of the user the tokenserver knows by this FxA uid. */
  storedCollectionCounts(fxaUid: string): Record<string, number> {
    return this.tokenserverUserStore(fxaUid).collectionCounts();
  }

  private tokenserverUserStore(fxaUid: string): UserStore {
    this.assertStorageReachable('fxa');
    const uid = this.tokenUsers.current(fxaUid)?.uid;
    if (uid === undefined) throw new ProvisioningError(404, `the tokenserver has never seen FxA uid ${fxaUid}`);
    return this.storage.user(uid);
  }

  private seed(account: Account, seedCollections: SeedCollection[], seedName: string): void {
    const store = this.store(account);
    store.writeRecords('meta', [{ id: 'global', payload: JSON.stringify(this.seeds.metaGlobal(seedName)) }]);
    const bulkKeys = randomBundle();
    this.writeCollectionKeys(account, store, bulkKeys);
    for (const { collection, records } of seedCollections) {
      if (records.length === 0) continue;
      store.writeRecords(
        collection,
        records.map(({ cleartext, sortindex, ttl }) => ({
          id: cleartext.id,
          payload: sealWith(bulkKeys, cleartext),
          ...(sortindex !== undefined ? { sortindex } : {}),
          ...(ttl !== undefined ? { ttl } : {}),
        })),
      );
    }
  }

  /** Tells the tokenserver about the account's current key state so its storage uid exists before any client asks. */
  private registerKeyState(account: FxaAccount): void {
    this.tokenUsers.admit(account.uid, {
      clientState: toHex(clientStateFromKb(account.kB)),
      generation: account.generation,
      keysChangedAt: account.keysChangedAt,
    });
  }

  private assertStorageReachable(kind: Account['kind']): void {
    if (kind === 'fxa' && !this.fxaStorageIsLocal) {
      throw new ProvisioningError(409, 'tokens point at an external storage node; the sandbox cannot write there');
    }
  }

  private store(account: Account): UserStore {
    this.assertStorageReachable(account.kind);
    const uid = account.kind === 'legacy11' ? account.storageUid : this.tokenUsers.current(account.uid)?.uid;
    if (uid === undefined) throw new ProvisioningError(409, `${account.email} has no storage yet`);
    return this.storage.user(uid);
  }

  private rootBundle(account: Account): KeyBundle {
    return account.kind === 'fxa' ? rootBundleFromKb(account.kB) : rootBundleFromSyncKey(account.syncKey, account.username);
  }

  /** New keys the way Firefox makes them: one random default bundle, no per-collection ones. */
  private writeCollectionKeys(account: Account, store: UserStore, defaultBundle: KeyBundle): void {
    const cleartext = { id: 'keys', collection: 'crypto', default: bundleToBase64Pair(defaultBundle), collections: {} };
    store.writeRecords('crypto', [{ id: 'keys', payload: sealWith(this.rootBundle(account), cleartext) }]);
  }

  private collectionKeys(account: Account, store: UserStore): CollectionKeys {
    const record = store.records('crypto').find((bso) => bso.id === 'keys');
    if (!record) throw new ProvisioningError(409, `${account.email} has no crypto/keys; seed the account first`);
    try {
      const cleartext = JSON.parse(decryptPayload(this.rootBundle(account), parseEncryptedPayload(record.payload))) as {
        default: unknown;
        collections?: Record<string, unknown>;
      };
      return {
        defaultBundle: bundleFromBase64Pair(cleartext.default),
        perCollection: new Map(
          Object.entries(cleartext.collections ?? {}).map(([name, pair]) => [name, bundleFromBase64Pair(pair)]),
        ),
      };
    } catch {
      throw new ProvisioningError(409, `${account.email}'s crypto/keys does not open with the account's root key`);
    }
  }

  /** meta/global is the one cleartext record; crypto/keys sits under the root bundle; the rest under bulk keys. */
  private bundleFor(account: Account, store: UserStore, collection: string): KeyBundle | undefined {
    if (collection === 'meta') return undefined;
    if (collection === 'crypto') return this.rootBundle(account);
    const keys = this.collectionKeys(account, store);
    return keys.perCollection.get(collection) ?? keys.defaultBundle;
  }

  private sealerFor(account: Account, store: UserStore, collection: string): (cleartext: Record<string, unknown>) => string {
    const bundle = this.bundleFor(account, store, collection);
    return (cleartext) => (bundle ? sealWith(bundle, cleartext) : JSON.stringify(cleartext));
  }

  private openerFor(account: Account, store: UserStore, collection: string): (payload: string) => Record<string, unknown> | null {
    let bundle: KeyBundle | undefined;
    try {
      bundle = this.bundleFor(account, store, collection);
    } catch {
      // No readable crypto/keys: nothing outside meta and crypto can be opened.
      return () => null;
    }
    return (payload) => {
      try {
        const text = bundle ? decryptPayload(bundle, parseEncryptedPayload(payload)) : payload;
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        return null;
      }
    };
  }
}

function randomBundle(): KeyBundle {
  return keyBundle(randomBytes(32), randomBytes(32));
}

function sealWith(bundle: KeyBundle, cleartext: Record<string, unknown>): string {
  return JSON.stringify(encryptCleartext(bundle, JSON.stringify(cleartext)));
}
