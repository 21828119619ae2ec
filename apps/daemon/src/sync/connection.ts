import { parseSyncKey, rootBundleFromKb, rootBundleFromSyncKey, type KeyBundle } from '@syncvault/sync-crypto';
import { CollectionKeys, CRYPTO_COLLECTION, KEYS_RECORD_ID, RecordHmacError } from './crypto/index.js';
import { FxaClient, RefreshingAccessToken, type FxaCredentials } from './fxa/index.js';
import { FxaTokenSource, TokenserverClient } from './tokenserver/index.js';
import type { StorageClientOptions, SyncStorageClient } from './storage/index.js';
import { Storage15Client } from './storage15/storage15-client.js';
import { Storage11Client } from './storage11/storage11-client.js';

/**
 * A live Sync account as everything above the protocol layer sees it: a storage client and the
 * root key bundle that opens its crypto/keys. The only place where credentials become clients.
 */
export interface SyncConnection {
  kind: 'fxa' | 'legacy11';
  storage: SyncStorageClient;
  rootBundle: KeyBundle;
}

/** What an FxA-backed (Sync 1.5) account needs to sync unattended; the password is not among it. */
export interface FxaConnectionOptions extends StorageClientOptions {
  authServerUrl: string;
  tokenServerUrl: string;
  clientId?: string;
  credentials: Pick<FxaCredentials, 'kB' | 'keysChangedAt' | 'refreshToken'> & Partial<Pick<FxaCredentials, 'accessToken' | 'expiresAt'>>;
  /** See Storage15ClientOptions.signAsOrigin. */
  signAsOrigin?: string;
}

export function connectFxaAccount(options: FxaConnectionOptions): SyncConnection {
  const { credentials } = options;
  const fxa = new FxaClient({ authServerUrl: options.authServerUrl, ...(options.clientId !== undefined && { clientId: options.clientId }) });
  const initial =
    credentials.accessToken !== undefined && credentials.expiresAt !== undefined
      ? { accessToken: credentials.accessToken, expiresAt: credentials.expiresAt }
      : undefined;
  const accessToken = new RefreshingAccessToken(fxa, credentials.refreshToken, initial);
  const tokenSource = new FxaTokenSource({
    tokenserver: new TokenserverClient({ url: options.tokenServerUrl }),
    accessToken: ({ forceRefresh }) => accessToken.get({ forceRefresh }),
    kB: credentials.kB,
    keysChangedAt: credentials.keysChangedAt,
  });
  return {
    kind: 'fxa',
    storage: new Storage15Client({ ...options, tokenSource }),
    rootBundle: rootBundleFromKb(credentials.kB),
  };
}

export interface LegacyConnectionOptions extends StorageClientOptions {
  /** The 1.1 server's user-API base URL. */
  serverUrl: string;
  /** Wins over node discovery, for servers that hand out a node URL without its port. */
  storageUrl?: string;
  /** Account email (hashed into the username) or, for plain-name accounts, the username itself. */
  account: string;
  password: string;
  /** As the user typed it: friendly base32, dashes and case as they like. */
  syncKey: string;
}

export function connectLegacyAccount(options: LegacyConnectionOptions): SyncConnection {
  const syncKey = parseSyncKey(options.syncKey);
  const storage = new Storage11Client({ ...options, email: options.account });
  return { kind: 'legacy11', storage, rootBundle: rootBundleFromSyncKey(syncKey, storage.username) };
}

/** crypto/keys exists but does not open with the account's root key: wrong Sync Key, or kB changed. */
export class WrongAccountKeyError extends Error {
  override readonly name = 'WrongAccountKeyError';
  constructor(kind: SyncConnection['kind']) {
    super(
      kind === 'legacy11'
        ? "crypto/keys does not decrypt with this Sync Key: check the Sync Key (and that the email matches the account)"
        : "crypto/keys does not decrypt with this account's key (kB): the account's password was probably reset; sign in again",
    );
  }
}

/** The account's bulk keys, or undefined when the server has no crypto/keys (a fresh or wiped account). */
export async function fetchCollectionKeys(connection: SyncConnection): Promise<CollectionKeys | undefined> {
  const record = await connection.storage.getRecord(CRYPTO_COLLECTION, KEYS_RECORD_ID);
  if (record === null) return undefined;
  try {
    return CollectionKeys.decrypt(record, connection.rootBundle);
  } catch (error) {
    if (error instanceof RecordHmacError) throw new WrongAccountKeyError(connection.kind);
    throw error;
  }
}
