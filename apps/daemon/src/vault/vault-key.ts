import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { VAULT_KEY_BYTES } from './vault.js';

export class VaultKeyError extends Error {
  override readonly name = 'VaultKeyError';
}

export interface VaultKeySources {
  /** `SYNCVAULT_MASTER_KEY`: 32 bytes as 64 hex digits or base64. */
  masterKey?: string | undefined;
  /** `SYNCVAULT_MASTER_KEY_FILE`: a file holding the key in one of those forms. */
  keyFile?: string | undefined;
  /**
   * Zero-config demo only: where to create a key file when neither of the above is given. Without
   * it, a missing key is an error: a daemon that invented its own key would lock users out of
   * their backups the day the file is lost.
   */
  demoKeyFile?: string | undefined;
}

export interface LoadedVaultKey {
  key: Buffer;
  /** Where the key came from, for the start-up log line (never the key itself). */
  source: 'environment' | 'key-file' | 'demo-key-file';
  path?: string;
  /** True when this call created the demo key file. */
  created: boolean;
}

/** Parses a key written as 64 hex digits or as base64 / base64url of 32 bytes. */
export function parseVaultKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== VAULT_KEY_BYTES || (!/^[0-9a-fA-F]{64}$/.test(trimmed) && !/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed))) {
    throw new VaultKeyError(`${where} must hold a 32-byte key as 64 hex digits or base64 (generate one with: openssl rand -hex 32)`);
  }
  return key;
}

export function loadVaultKey(sources: VaultKeySources): LoadedVaultKey {
  if (sources.masterKey !== undefined && sources.masterKey.trim() !== '') {
    return { key: parseVaultKey(sources.masterKey, 'SYNCVAULT_MASTER_KEY'), source: 'environment', created: false };
  }
  if (sources.keyFile !== undefined && sources.keyFile.trim() !== '') {
    if (!existsSync(sources.keyFile)) throw new VaultKeyError(`the vault key file ${sources.keyFile} (SYNCVAULT_MASTER_KEY_FILE) does not exist`);
    return { key: parseVaultKey(readFileSync(sources.keyFile, 'utf8'), sources.keyFile), source: 'key-file', path: sources.keyFile, created: false };
  }
  if (sources.demoKeyFile !== undefined) {
    const path = sources.demoKeyFile;
    if (existsSync(path)) return { key: parseVaultKey(readFileSync(path, 'utf8'), path), source: 'demo-key-file', path, created: false };
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const key = randomBytes(VAULT_KEY_BYTES);
    writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return { key, source: 'demo-key-file', path, created: true };
  }
  throw new VaultKeyError(
    'no vault key: set SYNCVAULT_MASTER_KEY (64 hex digits; generate one with `openssl rand -hex 32`) or SYNCVAULT_MASTER_KEY_FILE. ' +
      'Keep a copy somewhere safe: without it the stored credentials cannot be opened.',
  );
}
