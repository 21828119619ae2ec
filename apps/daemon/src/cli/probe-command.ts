import { type Command } from 'commander';
import { connectFxaAccount, connectLegacyAccount, FxaClient, probeAccount, type ProbeReport, type SyncConnection } from '../sync/index.js';
import { loginOnTerminal } from './fxa-login.js';
import { parseHttpUrl } from './options.js';
import { printJson } from './output.js';
import { ask } from './prompt.js';

interface ProbeCommandOptions {
  fxa?: string;
  tokenServer?: string;
  clientId?: string;
  legacy?: string;
  storageUrl?: string;
  email: string;
  password?: string;
  syncKey?: string;
  revealSecrets?: boolean;
  json?: boolean;
}

export function registerProbeCommand(program: Command): void {
  program
    .command('probe')
    .description('sign in to a Sync account, list every collection with its count, and decrypt one record of each')
    .option('--fxa <url>', 'Firefox Accounts auth server (Sync 1.5), e.g. https://api.accounts.firefox.com', parseHttpUrl)
    .option('--token-server <url>', 'tokenserver URL (Sync 1.5), e.g. https://token.services.mozilla.com/1.0/sync/1.5', parseHttpUrl)
    .option('--client-id <id>', 'OAuth client id for the token grant (default: Firefox desktop)')
    .option('--legacy <url>', 'Sync 1.1 server (user API base) instead of Firefox Accounts', parseHttpUrl)
    .option('--storage-url <url>', 'Sync 1.1 storage node URL, when the server hands out one without its port', parseHttpUrl)
    .requiredOption('--email <email>', 'account email (for 1.1 also a plain username)')
    .option('--password <password>', 'account password (asked on a terminal when omitted)')
    .option('--sync-key <key>', 'Sync Key of a 1.1 account (asked on a terminal when omitted)')
    .option('--reveal-secrets', 'show password and card-number values instead of masking them')
    .option('--json', 'print the report as one JSON object')
    .action(async (options: ProbeCommandOptions) => {
      const { connection, signOut } = await connect(options);
      let report: ProbeReport;
      try {
        report = await probeAccount(connection, { revealSecrets: options.revealSecrets ?? false });
      } finally {
        await signOut();
      }
      if (options.json) printJson(report);
      else printReport(report);
    });
}

interface ProbeConnection {
  connection: SyncConnection;
  /** A probe keeps nothing: without this its session and refresh token would linger among the account's devices. */
  signOut: () => Promise<void>;
}

async function connect(options: ProbeCommandOptions): Promise<ProbeConnection> {
  const password = options.password ?? (await ask('Password:', 'no --password given and no terminal to ask for it'));
  if (options.legacy !== undefined) {
    if (options.fxa !== undefined || options.tokenServer !== undefined) throw new Error('use either --legacy or --fxa/--token-server, not both');
    const syncKey = options.syncKey ?? (await ask('Sync Key:', 'no --sync-key given and no terminal to ask for it'));
    const connection = connectLegacyAccount({
      serverUrl: options.legacy,
      account: options.email,
      password,
      syncKey,
      ...(options.storageUrl !== undefined && { storageUrl: options.storageUrl }),
    });
    return { connection, signOut: async () => undefined };
  }
  if (options.fxa === undefined || options.tokenServer === undefined) {
    throw new Error('a Sync 1.5 account needs --fxa and --token-server (or use --legacy for a 1.1 server)');
  }
  const clientId = options.clientId !== undefined ? { clientId: options.clientId } : {};
  const fxa = new FxaClient({ authServerUrl: options.fxa, ...clientId });
  const credentials = await loginOnTerminal(fxa, options.email, password);
  return {
    connection: connectFxaAccount({ authServerUrl: options.fxa, tokenServerUrl: options.tokenServer, ...clientId, credentials }),
    signOut: async () => {
      await fxa.destroyRefreshToken(credentials.refreshToken).catch(() => undefined);
      await fxa.destroySession(credentials.sessionToken).catch(() => undefined);
    },
  };
}

function printReport(report: ProbeReport): void {
  const lines = ['collection        records  last modified'];
  for (const [name, { count, lastModified }] of Object.entries(report.collections)) {
    lines.push(`${name.padEnd(16)} ${String(count).padStart(8)}  ${new Date(lastModified).toISOString()}`);
  }
  lines.push('', 'One decrypted record of each collection:');
  for (const [name, record] of Object.entries(report.decrypted)) lines.push(`  ${name}: ${JSON.stringify(record)}`);
  for (const [name, problem] of Object.entries(report.problems)) lines.push(`  ${name}: cannot decrypt: ${problem}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
