/**
 * A migration in its own process, for the killed-migration test: runs one migration with the
 * daemon's real services and prints every progress report as one JSON line on stdout.
 * Input: the JSON of a MigrateWorkerInput in the environment variable MIGRATE_WORKER_INPUT.
 */
import { AccountService } from '@syncvault/daemon/accounts';
import { BackupEngine } from '@syncvault/daemon/backup';
import { MigrationService, type MigrationProgress, type MigrationRequest } from '@syncvault/daemon/migrate';
import { createPrismaClient } from '@syncvault/daemon/store';
import { KeyCustody, Vault } from '@syncvault/daemon/vault';

export interface MigrateWorkerInput {
  databaseUrl: string;
  vaultKeyHex: string;
  request: MigrationRequest;
}

export type MigrateWorkerLine = { progress: MigrationProgress } | { done: true } | { error: string };

function emit(line: MigrateWorkerLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const input = JSON.parse(process.env['MIGRATE_WORKER_INPUT'] ?? '{}') as MigrateWorkerInput;
const prisma = createPrismaClient(input.databaseUrl);
const vault = new Vault(Buffer.from(input.vaultKeyHex, 'hex'));
const keyCustody = new KeyCustody(prisma, vault);
const accounts = new AccountService({ prisma, vault, keyCustody });
try {
  const service = new MigrationService({ prisma, databaseUrl: input.databaseUrl, accounts, keyCustody, vault, backup: new BackupEngine({ prisma, databaseUrl: input.databaseUrl, keyCustody }) });
  await service.run(input.request, { onProgress: (progress) => emit({ progress }) });
  emit({ done: true });
} catch (error) {
  emit({ error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
} finally {
  accounts.close();
  await prisma.$disconnect();
}
