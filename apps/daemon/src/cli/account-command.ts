import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  ACCOUNT_KINDS,
  AccountService,
  InvalidAccountInputError,
  type AccountChange,
  type AccountKind,
  type AccountSettingsUpdate,
  type AccountView,
  type AddAccountStep,
} from '../accounts/index.js';
import { DEFAULT_SHRINK_THRESHOLD } from '../backup/health-alerts.js';
import { syncAccountSchedule } from '../jobs/schedules.js';
import { RETENTION_RULES, type RetentionPolicy, type RetentionRule } from '../retention/policy.js';
import { InvalidUnblockCodeError, InvalidVerificationCodeError } from '../sync/index.js';
import { openCliContext, type CliContext } from './context.js';
import { parseHttpUrl, parseNonNegativeInt } from './options.js';
import { formatTable, printJson } from './output.js';
import { ask, askSecret } from './prompt.js';

const EMAIL_CONFIRMATION_POLL_MS = 3_000;
/** Wrong codes a person may type before the command gives up (the sign-in itself stays valid on the server side). */
const CODE_ATTEMPTS = 3;

/** `--keep-daily` for `keepDaily`, and so on. */
function retentionFlag(rule: RetentionRule): string {
  return `--${rule.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

const RETENTION_HELP: Readonly<Record<RetentionRule, string>> = {
  keepLast: 'retention: keep the n most recent snapshots',
  keepHourly: 'retention: keep the latest snapshot of each of the last n hours that have one',
  keepDaily: 'retention: keep the latest snapshot of each of the last n days that have one',
  keepWeekly: 'retention: keep the latest snapshot of each of the last n weeks that have one',
  keepMonthly: 'retention: keep the latest snapshot of each of the last n months that have one',
  keepYearly: 'retention: keep the latest snapshot of each of the last n years that have one',
};

/** The service names fields as its API does; a person typed flags. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  name: '--name',
  kind: '--kind',
  email: '--email',
  username: '--username',
  password: '--password',
  syncKey: '--sync-key',
  fxaUrl: '--fxa',
  tokenServerUrl: '--token-server',
  serverUrl: '--server',
  storageUrl: '--storage-url',
  signAsOrigin: '--sign-as-origin',
  schedule: '--schedule',
  'alertSettings.shrinkThreshold': '--shrink-threshold',
  'alertSettings.webhookUrl': '--webhook',
};

/** Runs a command's work with the store open, naming flags rather than API fields in input errors. */
async function withAccounts<T>(work: (service: AccountService) => Promise<T>): Promise<T> {
  const context = await openCliContext();
  const service = new AccountService({ ...context, onChange: (change) => mirrorSchedule(context, change) });
  try {
    return await work(service);
  } catch (error) {
    if (error instanceof InvalidAccountInputError && error.field !== undefined && FLAG_OF_FIELD[error.field] !== undefined) {
      throw new Error(`${FLAG_OF_FIELD[error.field]}: ${error.reason}`, { cause: error });
    }
    throw error;
  } finally {
    service.close();
    await context.close();
  }
}

/**
 * Makes a running daemon's job schedulers follow a saved change. Postgres is the source of truth
 * and `serve` mirrors every schedule when it starts, so an unreachable Redis is a one-line
 * warning, not a failure: the change itself is saved.
 */
async function mirrorSchedule(context: CliContext, change: AccountChange): Promise<void> {
  // A new account without a schedule has no job scheduler to create or remove.
  if (change.type === 'added' && change.account.schedule === null) return;
  try {
    await syncAccountSchedule(context.config, context.prisma, change.account.id);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n', 1)[0];
    process.stderr.write(
      `warning: account ${change.account.name} is saved, but its backup schedule could not be updated in Redis (${reason}); a running syncvault serve picks it up when it restarts\n`,
    );
  }
}

function parseShare(value: string): number {
  if (!/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(value)) throw new InvalidArgumentError('expected a number from 0 to 1, e.g. 0.2');
  return Number(value);
}

interface AddOptions {
  name: string;
  kind: AccountKind;
  fxa?: string;
  tokenServer?: string;
  server?: string;
  storageUrl?: string;
  signAsOrigin?: string;
  email?: string;
  username?: string;
  password?: string;
  syncKey?: string;
  json?: boolean;
}

type SetOptions = { [rule in RetentionRule]?: number } & {
  schedule?: string | false;
  clearRetention?: boolean;
  shrinkThreshold?: number;
  webhook?: string | false;
  json?: boolean;
};

export function registerAccountCommand(program: Command): void {
  const account = program
    .command('account')
    .description('add, list, change and remove the Sync accounts Syncvault backs up (works whether or not `syncvault serve` runs)')
    // One line per error, as every other failure of this command.
    .showHelpAfterError(false);

  account
    .command('add')
    .description('sign in to a Sync account once, check that its data decrypts, and keep it (secrets sealed in the vault; never the FxA password)')
    .requiredOption('--name <name>', "a name for the account: 1-64 letters, digits, '.', '_' or '-'")
    .addOption(new Option('--kind <kind>', "mozilla (Mozilla's servers), selfhosted15 (your own accounts server and/or tokenserver) or legacy11 (a Sync 1.1 server)").choices(ACCOUNT_KINDS).makeOptionMandatory())
    .option('--fxa <url>', 'selfhosted15: accounts server URL (default: Mozilla\'s)', parseHttpUrl)
    .option('--token-server <url>', 'selfhosted15: tokenserver URL, e.g. https://sync.example.com/token/1.0/sync/1.5 (default: Mozilla\'s)', parseHttpUrl)
    .option('--sign-as-origin <url>', 'selfhosted15: the origin the storage server sees, when a proxy rewrites host or port', parseHttpUrl)
    .option('--server <url>', 'legacy11: the Sync 1.1 server URL', parseHttpUrl)
    .option('--storage-url <url>', 'legacy11: storage node URL, when the server hands out one that does not work from here', parseHttpUrl)
    .option('--email <email>', 'account email')
    .option('--username <name>', 'legacy11: a plain username instead of the email')
    .option('--password <password>', 'account password (asked on a terminal when omitted, without echo)')
    .option('--sync-key <key>', 'legacy11: the Sync Key (asked on a terminal when omitted, without echo)')
    .option('--json', 'print the added account as one JSON object')
    .action(async (options: AddOptions) => {
      const added = await withAccounts((service) => addAccount(service, options));
      if (options.json) printJson(added);
      else process.stdout.write(`Added account ${added.name} (${describe(added)}).\n${settingsLines(added).join('\n')}\n`);
    });

  account
    .command('reconnect <name>')
    .description('sign in to an account again, e.g. after its password was changed or reset; it keeps its snapshots and settings')
    .option('--password <password>', 'the current account password (asked on a terminal when omitted, without echo)')
    .option('--sync-key <key>', 'legacy11: a new Sync Key (default: the stored one)')
    .option('--json', 'print the account as one JSON object')
    .action(async (name: string, options: { password?: string; syncKey?: string; json?: boolean }) => {
      const reconnected = await withAccounts(async (service) => {
        const current = await service.get(name);
        const password = options.password ?? (await askSecret('Password:', 'no --password given and no terminal to ask for it'));
        const step = await service.beginReconnect(current.id, { password, ...(options.syncKey !== undefined && { syncKey: options.syncKey }) });
        return completeOnTerminal(service, step);
      });
      if (options.json) printJson(reconnected);
      else process.stdout.write(`Signed in to account ${reconnected.name} again (${describe(reconnected)}).\n`);
    });

  account
    .command('list')
    .description('list the accounts')
    .option('--json', 'print a JSON array of accounts')
    .action(async (options: { json?: boolean }) => {
      const accounts = await withAccounts((service) => service.list());
      if (options.json) printJson(accounts);
      else process.stdout.write(listText(accounts));
    });

  account
    .command('remove <name>')
    .description('remove an account with all its snapshots (signs Syncvault out of a Firefox account when it can)')
    .option('--json', 'print the removed account as one JSON object')
    .action(async (name: string, options: { json?: boolean }) => {
      const removed = await withAccounts((service) => service.remove(name));
      if (options.json) printJson(removed);
      else process.stdout.write(`Removed account ${removed.name} and its snapshots.\n`);
    });

  const set = account
    .command('set <name>')
    .description("change an account's backup schedule, retention policy or alert settings")
    .option('--schedule <schedule>', 'when to back up: `every <n><s|m|h|d>` (at least 1 minute) or a cron pattern, e.g. "0 3 * * *"')
    .option('--no-schedule', 'back up only on demand')
    .option('--clear-retention', 'drop every keep rule (keep all snapshots), then apply the --keep-* given');
  for (const rule of RETENTION_RULES) set.option(`${retentionFlag(rule)} <n>`, RETENTION_HELP[rule], parseNonNegativeInt);
  set
    .option('--shrink-threshold <share>', `alert when a collection loses more than this share of its records (default ${DEFAULT_SHRINK_THRESHOLD})`, parseShare)
    .option('--webhook <url>', 'POST each health alert as JSON to this URL', parseHttpUrl)
    .option('--no-webhook', 'stop sending alerts to a webhook')
    .option('--json', 'print the updated account as one JSON object')
    .action(async (name: string, options: SetOptions) => {
      const update = settingsUpdate(options);
      const updated = await withAccounts((service) => service.updateSettings(name, update));
      if (options.json) printJson(updated);
      else process.stdout.write(`Updated account ${updated.name}.\n${settingsLines(updated).join('\n')}\n`);
    });
}

async function addAccount(service: AccountService, options: AddOptions): Promise<AccountView> {
  const fields = {
    name: options.name,
    kind: options.kind,
    ...(options.email !== undefined && { email: options.email }),
    ...(options.username !== undefined && { username: options.username }),
    ...(options.fxa !== undefined && { fxaUrl: options.fxa }),
    ...(options.tokenServer !== undefined && { tokenServerUrl: options.tokenServer }),
    ...(options.signAsOrigin !== undefined && { signAsOrigin: options.signAsOrigin }),
    ...(options.server !== undefined && { serverUrl: options.server }),
    ...(options.storageUrl !== undefined && { storageUrl: options.storageUrl }),
  };
  // Bad flags are reported before anyone is asked for a password.
  await service.checkNewAccount(fields);
  if (options.syncKey !== undefined && options.kind !== 'legacy11') throw new Error(`--sync-key: does not apply to a ${options.kind} account`);
  const password = options.password ?? (await askSecret('Password:', 'no --password given and no terminal to ask for it'));
  const syncKey =
    options.kind === 'legacy11' ? (options.syncKey ?? (await askSecret('Sync Key:', 'no --sync-key given and no terminal to ask for it'))) : undefined;
  const step = await service.beginAdd({ ...fields, password, ...(syncKey !== undefined && { syncKey }) });
  return completeOnTerminal(service, step);
}

/** Walks the sign-in steps on the terminal; without one, a step that needs a person is an error. */
async function completeOnTerminal(service: AccountService, first: AddAccountStep): Promise<AccountView> {
  let step = first;
  let wrongCodes = 0;
  let toldToConfirm = false;
  try {
    while (step.status !== 'done') {
      if (step.status === 'email-confirmation-required') {
        if (!toldToConfirm) process.stderr.write(`Confirm this sign-in with the link emailed to ${step.email}; waiting...\n`);
        toldToConfirm = true;
        await sleep(EMAIL_CONFIRMATION_POLL_MS);
        step = await service.pollAdd(step.loginId);
        continue;
      }
      const code =
        step.status === 'unblock-code-required'
          ? await ask(
              `The accounts server blocked this sign-in for safety and emailed an unblock code to ${step.email}. Code:`,
              `the accounts server asks for an unblock code (emailed to ${step.email}); run this command on a terminal to enter it`,
            )
          : await askVerificationCode(step.method, step.email);
      try {
        step = await service.continueAdd(step.loginId, { code });
      } catch (error) {
        const wrongCode = error instanceof InvalidUnblockCodeError || error instanceof InvalidVerificationCodeError;
        if (!wrongCode || ++wrongCodes >= CODE_ATTEMPTS) throw error;
        process.stderr.write('That code is wrong or expired; try again.\n');
      }
    }
    return step.account;
  } catch (error) {
    if (step.status !== 'done') await service.cancelAdd(step.loginId).catch(() => false);
    throw error;
  }
}

function askVerificationCode(method: string, email: string): Promise<string> {
  const what = method === 'totp-2fa' ? 'the code from your authenticator app' : `the code emailed to ${email}`;
  return ask(`Enter ${what}:`, `the accounts server asks for ${what} to confirm this sign-in; run this command on a terminal to enter it`);
}

function settingsUpdate(options: SetOptions): AccountSettingsUpdate {
  const update: AccountSettingsUpdate = {};
  if (options.schedule !== undefined) update.schedule = options.schedule === false ? null : options.schedule;
  const retention: NonNullable<AccountSettingsUpdate['retention']> = {};
  for (const rule of RETENTION_RULES) {
    const value = options[rule];
    if (value !== undefined) retention[rule] = value;
    else if (options.clearRetention) retention[rule] = null;
  }
  if (Object.keys(retention).length > 0) update.retention = retention;
  const alerts: NonNullable<AccountSettingsUpdate['alertSettings']> = {};
  if (options.shrinkThreshold !== undefined) alerts.shrinkThreshold = options.shrinkThreshold;
  if (options.webhook !== undefined) alerts.webhookUrl = options.webhook === false ? null : options.webhook;
  if (Object.keys(alerts).length > 0) update.alertSettings = alerts;
  if (Object.keys(update).length === 0) {
    throw new Error('nothing to change: give --schedule, --no-schedule, --keep-*, --clear-retention, --shrink-threshold, --webhook or --no-webhook');
  }
  return update;
}

function describe(account: AccountView): string {
  const where = account.kind === 'legacy11' ? account.serverUrl : account.kind === 'selfhosted15' ? (account.tokenServerUrl ?? account.fxaUrl) : null;
  return [account.kind, account.email, where].filter((part) => part !== null).join(', ');
}

function retentionText(retention: RetentionPolicy): string {
  const rules = RETENTION_RULES.filter((rule) => retention[rule] !== undefined).map((rule) => `${rule.slice(4).toLowerCase()} ${retention[rule]}`);
  return rules.length === 0 ? 'keep every snapshot' : `keep ${rules.join(', ')}`;
}

function settingsLines(account: AccountView): string[] {
  const alerts = account.alertSettings;
  return [
    `  schedule   ${account.schedule ?? `on demand (set one: syncvault account set ${account.name} --schedule "every 6h")`}`,
    `  retention  ${retentionText(account.retention)}`,
    `  alerts     collection shrinks by more than ${Math.round((alerts.shrinkThreshold ?? DEFAULT_SHRINK_THRESHOLD) * 100)}%` +
      (alerts.webhookUrl !== undefined ? `; webhook ${alerts.webhookUrl}` : ''),
  ];
}

function listText(accounts: AccountView[]): string {
  if (accounts.length === 0) return 'No accounts yet; add one with `syncvault account add`.\n';
  const rows = [['NAME', 'KIND', 'EMAIL', 'SCHEDULE', 'RETENTION'], ...accounts.map((a) => [a.name, a.kind, a.email, a.schedule ?? 'on demand', retentionText(a.retention)])];
  return formatTable(rows).join('\n') + '\n';
}
