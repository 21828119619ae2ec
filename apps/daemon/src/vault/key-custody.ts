import { createHash } from 'node:crypto';
import { bundleFromBase64Pair, bundleToBase64Pair, type KeyBundle } from '@syncvault/sync-crypto';
import { CollectionKeys } from '../sync/crypto/collection-keys.js';
import type { PrismaClient } from '../store/prisma.js';
import type { Vault } from './vault.js';

export type CustodyKind = 'root' | 'collection-keys';

/** Hex SHA-256 naming a root bundle (from kB or a Sync Key); never reveals the key. */
export function rootBundleFingerprint(bundle: KeyBundle): string {
  return createHash('sha256').update('root\n').update(bundle.encKey).update(bundle.hmacKey).digest('hex');
}

function purpose(accountId: string, kind: CustodyKind, fingerprint: string): string {
  return `account:${accountId}:key-bundle:${kind}:${fingerprint}`;
}

/**
 * Key custody: every key bundle ever in force for an account, sealed in the vault, so that a
 * snapshot taken before a password reset or a key rotation still decrypts years later. Snapshots
 * name their crypto/keys by `CollectionKeys.fingerprint()`; root bundles by `rootBundleFingerprint`.
 */
export class KeyCustody {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly vault: Vault,
  ) {}

  /** Keeps a root bundle (idempotent); returns its fingerprint. */
  async keepRootBundle(accountId: string, bundle: KeyBundle): Promise<string> {
    const fingerprint = rootBundleFingerprint(bundle);
    await this.keep(accountId, 'root', fingerprint, bundleToBase64Pair(bundle));
    return fingerprint;
  }

  /** Keeps a decrypted crypto/keys (idempotent); returns its fingerprint. */
  async keepCollectionKeys(accountId: string, keys: CollectionKeys): Promise<string> {
    const fingerprint = keys.fingerprint();
    await this.keep(accountId, 'collection-keys', fingerprint, keys.toCleartext());
    return fingerprint;
  }

  /** Every root bundle the account ever had, oldest first. */
  async rootBundles(accountId: string): Promise<Array<{ fingerprint: string; bundle: KeyBundle }>> {
    const rows = await this.prisma.keyBundle.findMany({ where: { accountId, kind: 'root' }, orderBy: { id: 'asc' } });
    return rows.map((row) => ({
      fingerprint: row.fingerprint,
      bundle: bundleFromBase64Pair(this.vault.openJson<unknown>(row.sealed, purpose(accountId, 'root', row.fingerprint))),
    }));
  }

  /** The crypto/keys in force for a snapshot, by the fingerprint the snapshot recorded; null if never kept. */
  async collectionKeys(accountId: string, fingerprint: string): Promise<CollectionKeys | null> {
    const row = await this.prisma.keyBundle.findUnique({ where: { accountId_kind_fingerprint: { accountId, kind: 'collection-keys', fingerprint } } });
    if (row === null) return null;
    return CollectionKeys.fromCleartext(this.vault.openJson<unknown>(row.sealed, purpose(accountId, 'collection-keys', fingerprint)));
  }

  private async keep(accountId: string, kind: CustodyKind, fingerprint: string, value: unknown): Promise<void> {
    const sealed = new Uint8Array(this.vault.sealJson(value, purpose(accountId, kind, fingerprint)));
    await this.prisma.keyBundle.upsert({
      where: { accountId_kind_fingerprint: { accountId, kind, fingerprint } },
      create: { accountId, kind, fingerprint, sealed },
      update: {},
    });
  }
}
