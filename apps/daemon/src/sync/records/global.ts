import {
  arrayOf,
  checked,
  expected,
  integer,
  mapOf,
  narrowed,
  object,
  optional,
  string,
  type Shape,
} from './fields.js';

/** The storage format every current client reads and writes. */
export const STORAGE_VERSION = 5;

export interface EngineState {
  version?: number;
  syncID?: string;
}

/** `meta/global`, the only cleartext record on the server; its payload usually has no `id`. */
export interface MetaGlobalRecord {
  id?: string;
  syncID?: string;
  storageVersion?: number;
  engines?: Record<string, EngineState>;
  /** Engines the user switched off (1.5). */
  declined?: string[];
}

/** `[b64 encryption key, b64 HMAC key]`. */
export type KeyPair = [string, string];

/** `crypto/keys`, encrypted under the root bundle; holds the bulk keys of every other record. */
export interface CryptoKeysRecord {
  id: string;
  collection?: string;
  default?: KeyPair;
  /** Per-collection bulk keys, overriding `default`. */
  collections?: Record<string, KeyPair>;
}

const engineShape: Shape<EngineState> = {
  version: expected(integer()),
  syncID: expected(string()),
};

export const metaGlobalShape: Shape<MetaGlobalRecord> = {
  id: optional(checked(string(), (id) => id === 'global', 'the meta record id is "global"')),
  syncID: expected(string()),
  storageVersion: expected(
    checked(integer(), (version) => version === STORAGE_VERSION, `clients only read storage version ${STORAGE_VERSION}`),
  ),
  engines: expected(mapOf(object(engineShape))),
  declined: optional(arrayOf(string())),
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function isKeyPair(pair: string[]): pair is KeyPair {
  return pair.length === 2 && pair.every((key) => BASE64.test(key) && Buffer.from(key, 'base64').length === 32);
}

const keyPair = () => narrowed(arrayOf(string()), isKeyPair, 'a key pair is two base64-encoded 32-byte keys');

export const cryptoKeysShape: Shape<CryptoKeysRecord> = {
  id: checked(string(), (id) => id === 'keys', 'the crypto record id is "keys"'),
  collection: optional(string()),
  default: expected(keyPair()),
  collections: optional(mapOf(keyPair())),
};
