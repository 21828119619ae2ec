import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type SyncvaultConfig } from '../config/index.js';
import { createPrismaClient, type PrismaClient } from '../store/index.js';
import { KeyCustody, loadVaultKey, Vault } from '../vault/index.js';

/** What every store-backed command needs: the validated config, the database and the vault. */
export interface CliContext {
  config: SyncvaultConfig;
  prisma: PrismaClient;
  vault: Vault;
  keyCustody: KeyCustody;
  close(): Promise<void>;
}

/** The demo's generated vault key lives here; the CLI finds it when no key is configured. */
export function demoKeyFile(config: SyncvaultConfig): string {
  return join(config.dataDir, 'demo', 'vault.key');
}

/**
 * Opens the store the way `syncvault serve` does, so commands work whether or not the daemon
 * runs. Without SYNCVAULT_MASTER_KEY(_FILE) the demo's key file is used if it exists; a key is
 * never created here.
 */
export async function openCliContext(env: Record<string, string | undefined> = process.env): Promise<CliContext> {
  const config = loadConfig(env);
  const demoFile = demoKeyFile(config);
  const key = loadVaultKey({
    masterKey: config.masterKey,
    keyFile: config.masterKeyFile ?? (config.masterKey === undefined && existsSync(demoFile) ? demoFile : undefined),
  });
  const prisma = createPrismaClient(config.databaseUrl);
  const vault = new Vault(key.key);
  return {
    config,
    prisma,
    vault,
    keyCustody: new KeyCustody(prisma, vault),
    close: () => prisma.$disconnect(),
  };
}
