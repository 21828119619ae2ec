/**
 * A backup worker in its own process, for the killed-worker test: signs in to the sandbox, runs
 * one backup and prints every progress report as one JSON line on stdout, then the summary.
 * Input: the JSON of a WorkerInput in the environment variable BACKUP_WORKER_INPUT.
 */
import { BackupEngine } from '@syncvault/daemon/backup';
import { createPrismaClient } from '@syncvault/daemon/store';
import { connectFxaAccount, FxaClient } from '@syncvault/daemon/sync';
import { KeyCustody, Vault } from '@syncvault/daemon/vault';

export interface WorkerInput {
  databaseUrl: string;
  vaultKeyHex: string;
  accountId: string;
  fxaUrl: string;
  tokenServerUrl: string;
  email: string;
  password: string;
  pageSize: number;
}

export type WorkerLine = { progress: { collection?: string; done: number; total: number; snapshotSeq: number } } | { done: { seq: number } } | { error: string };

function emit(line: WorkerLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const input = JSON.parse(process.env['BACKUP_WORKER_INPUT'] ?? '{}') as WorkerInput;
const prisma = createPrismaClient(input.databaseUrl);
try {
  const step = await new FxaClient({ authServerUrl: input.fxaUrl }).beginLogin(input.email, input.password);
  if (step.kind !== 'done') throw new Error(`unexpected login step ${step.kind}`);
  const connection = connectFxaAccount({ authServerUrl: input.fxaUrl, tokenServerUrl: input.tokenServerUrl, credentials: step.session });
  const engine = new BackupEngine({
    prisma,
    databaseUrl: input.databaseUrl,
    keyCustody: new KeyCustody(prisma, new Vault(Buffer.from(input.vaultKeyHex, 'hex'))),
    pageSize: input.pageSize,
  });
  const summary = await engine.run({
    accountId: input.accountId,
    trigger: 'schedule',
    connection,
    onProgress: ({ collection, done, total, snapshotSeq }) => emit({ progress: { ...(collection !== undefined && { collection }), done, total, snapshotSeq } }),
  });
  emit({ done: { seq: summary.seq } });
} catch (error) {
  emit({ error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
}
