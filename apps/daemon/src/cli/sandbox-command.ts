import { InvalidArgumentError, type Command } from 'commander';
import { sandboxBanner, startSandbox, validPathPrefix, type SeedSize } from '@syncvault/sandbox';
import { parseHttpUrl, parseNonNegativeInt, parsePort } from './options.js';
import { printJson } from './output.js';

const SIZE_FLAGS = ['bookmarks', 'history', 'passwords', 'forms', 'tabs', 'clients', 'addons', 'addresses', 'creditcards'] as const;

interface SandboxCommandOptions extends Partial<Record<(typeof SIZE_FLAGS)[number], number>> {
  port: number;
  host: string;
  seed: 'demo' | 'none';
  json?: boolean;
  tokenSecret?: string;
  storageNode?: string;
  accountsServer?: string;
  pathPrefix?: string;
}

function parsePathPrefix(value: string): string {
  try {
    return validPathPrefix(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function registerSandboxCommand(program: Command): void {
  const command = program
    .command('sandbox')
    .description("run a local stand-in for Mozilla's Sync servers (accounts server, tokenserver, storage 1.5 and 1.1)")
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 8790)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--seed <kind>', 'demo: one 1.5 and one 1.1 account with a few hundred records each; none: no accounts', 'demo')
    .option('--json', 'print one JSON line with the URLs and accounts, then serve')
    .option('--token-secret <secret>', 'shared secret for minted storage tokens (to use an external syncstorage-rs node)')
    .option('--storage-node <url>', 'hand out tokens for this external storage node instead of the built-in one', parseHttpUrl)
    .option('--accounts-server <url>', 'trust OAuth tokens of this external accounts server (a self-hosted tokenserver)', parseHttpUrl)
    .option('--path-prefix <path>', 'serve everything under this path (e.g. /ffsync), as a server behind a reverse proxy at a prefix', parsePathPrefix);
  for (const flag of SIZE_FLAGS) {
    command.option(`--${flag} <n>`, `number of ${flag} records per seeded account`, parseNonNegativeInt);
  }
  command.action(async (options: SandboxCommandOptions) => {
    if (options.seed !== 'demo' && options.seed !== 'none') throw new Error('--seed is demo or none');
    const seedSize: Partial<SeedSize> = {};
    for (const flag of SIZE_FLAGS) {
      const count = options[flag];
      if (count !== undefined) seedSize[flag] = count;
    }
    const sandbox = await startSandbox({
      host: options.host,
      port: options.port,
      seed: options.seed,
      seedSize,
      ...(options.tokenSecret !== undefined && { tokenSecret: options.tokenSecret }),
      ...(options.storageNode !== undefined && { storageNode: options.storageNode }),
      ...(options.accountsServer !== undefined && { accountsServer: options.accountsServer }),
      ...(options.pathPrefix !== undefined && { pathPrefix: options.pathPrefix }),
    });
    if (options.json) {
      printJson(sandboxBanner(sandbox));
    } else {
      const banner = sandboxBanner(sandbox);
      process.stdout.write(
        [
          'Syncvault sandbox is running (a local stand-in for Mozilla\'s Sync servers).',
          `  accounts server  ${banner.fxa}`,
          `  tokenserver      ${banner.tokenServer}`,
          `  storage 1.5      ${banner.storage15}`,
          `  storage 1.1      ${banner.storage11}`,
          ...banner.accounts.map(
            (account) => `  ${account.kind === 'fxa' ? '1.5 account ' : '1.1 account '}    ${account.email} / ${account.password}${account.syncKey ? ` / Sync Key ${account.syncKey}` : ''}`,
          ),
          'Press Ctrl+C to stop.',
          '',
        ].join('\n'),
      );
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    await sandbox.close();
  });
}
