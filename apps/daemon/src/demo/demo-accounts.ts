/**
 * The demo's accounts, pointed at the sandboxes the demo started: `demo-firefox` and `demo-legacy`
 * at the first one, which stands in for Mozilla, and `demo-selfhosted`, the same Firefox Account
 * with its storage on the second, "self-hosted" sandbox (a tokenserver trusting the first one's
 * accounts server, behind a path prefix), where it starts empty: the target of a migration.
 *
 * The sandbox lives in memory: each start has new passwords, keys and records, and usually a new
 * port. Accounts left by an earlier demo therefore point at a server that is gone, and their
 * snapshots are of data that no longer exists anywhere; reconnecting them would keep those
 * meaningless snapshots and compare unrelated data. So they are replaced: removed with their
 * snapshots (the blobs only they used are swept) and added again. Only accounts that are
 * recognisably the demo's are touched; anything else with a demo name stops the demo.
 */
import { DEMO_FXA_EMAIL, DEMO_LEGACY_EMAIL, type RunningSandbox, type SandboxAccount } from '@syncvault/sandbox';
import { AccountNotFoundError, type AccountService, type AccountView, type AddAccountInput } from '../accounts/index.js';
import { sweepBlobs } from '../retention/garbage.js';
import type { PrismaClient } from '../store/prisma.js';

export const DEMO_FIREFOX_ACCOUNT = 'demo-firefox';
export const DEMO_LEGACY_ACCOUNT = 'demo-legacy';
export const DEMO_SELFHOSTED_ACCOUNT = 'demo-selfhosted';

/** Where the self-hosted sandbox is mounted, as a reverse proxy serving syncstorage-rs at a path would. */
export const DEMO_SELFHOSTED_PATH_PREFIX = '/ffsync';

/**
 * Hourly, on the hour (UTC). A cron pattern rather than `every 1h`: BullMQ runs an interval's
 * first job at once, which would run a second backup right after the demo's first one.
 */
export const DEMO_SCHEDULE = '0 * * * *';
export const DEMO_SCHEDULE_TEXT = 'every hour on the hour (UTC)';

const BLOB_SWEEP_TIMEOUT_MS = 60_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export class DemoAccountConflictError extends Error {
  override readonly name = 'DemoAccountConflictError';
}

/** backed-up: the demo backs it up and schedules it; migration-target: left empty and unscheduled, for a migration into it. */
export type DemoAccountRole = 'backed-up' | 'migration-target';

export interface DemoAccount {
  view: AccountView;
  role: DemoAccountRole;
  /** An earlier demo's account of the same name was removed first. */
  replaced: boolean;
}

function sandboxAccount(sandbox: RunningSandbox, kind: SandboxAccount['kind']): SandboxAccount {
  const account = sandbox.accounts.find((candidate) => candidate.kind === kind);
  if (account === undefined) throw new Error(`the sandbox has no demo ${kind} account (was it started with seed "demo"?)`);
  return account;
}

/**
 * What `AccountService.beginAdd` gets for each demo account. `selfhosted` is the sandbox whose
 * tokenserver trusts `sandbox`'s accounts server: the demo FxA account signs in there too.
 */
export function demoAccountInputs(sandbox: RunningSandbox, selfhosted: Pick<RunningSandbox, 'urls'>): AddAccountInput[] {
  const fxa = sandboxAccount(sandbox, 'fxa');
  const legacy = sandboxAccount(sandbox, 'legacy11');
  return [
    { name: DEMO_FIREFOX_ACCOUNT, kind: 'selfhosted15', email: fxa.email, password: fxa.password, fxaUrl: sandbox.urls.fxa, tokenServerUrl: sandbox.urls.tokenServer },
    {
      name: DEMO_LEGACY_ACCOUNT,
      kind: 'legacy11',
      email: legacy.email,
      password: legacy.password,
      ...(legacy.syncKey !== undefined && { syncKey: legacy.syncKey }),
      serverUrl: sandbox.urls.storage11,
    },
    { name: DEMO_SELFHOSTED_ACCOUNT, kind: 'selfhosted15', email: fxa.email, password: fxa.password, fxaUrl: sandbox.urls.fxa, tokenServerUrl: selfhosted.urls.tokenServer },
  ];
}

function onLoopback(url: string | null): boolean {
  if (url === null) return false;
  try {
    return LOOPBACK_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** An account a demo made: the demo kind and email, on a server on this machine. */
export function isDemoAccount(account: Pick<AccountView, 'name' | 'kind' | 'email' | 'fxaUrl' | 'serverUrl'>): boolean {
  const email = account.email.toLowerCase();
  if (account.name === DEMO_FIREFOX_ACCOUNT || account.name === DEMO_SELFHOSTED_ACCOUNT) return account.kind === 'selfhosted15' && email === DEMO_FXA_EMAIL && onLoopback(account.fxaUrl);
  if (account.name === DEMO_LEGACY_ACCOUNT) return account.kind === 'legacy11' && email === DEMO_LEGACY_EMAIL && onLoopback(account.serverUrl);
  return false;
}

async function find(service: AccountService, name: string): Promise<AccountView | undefined> {
  try {
    return await service.get(name);
  } catch (error) {
    if (error instanceof AccountNotFoundError) return undefined;
    throw error;
  }
}

/**
 * Adds the demo accounts for these sandboxes, replacing an earlier demo's (see the top of this file).
 * They start without a schedule, so nothing but the demo's own first backup runs on them.
 */
export async function ensureDemoAccounts(service: AccountService, prisma: PrismaClient, sandbox: RunningSandbox, selfhosted: RunningSandbox): Promise<DemoAccount[]> {
  const inputs = demoAccountInputs(sandbox, selfhosted);
  const earlier = new Map<string, AccountView>();
  for (const input of inputs) {
    const existing = await find(service, input.name);
    if (existing === undefined) continue;
    if (!isDemoAccount(existing)) {
      throw new DemoAccountConflictError(
        `an account named ${input.name} exists and is not a demo account (${existing.kind}, ${existing.email}); the demo leaves it alone: rename it, or remove it with \`syncvault account remove ${input.name}\``,
      );
    }
    earlier.set(input.name, existing);
  }
  for (const account of earlier.values()) await service.remove(account.id);
  if (earlier.size > 0) await sweepBlobs(prisma, BLOB_SWEEP_TIMEOUT_MS);

  const added: DemoAccount[] = [];
  for (const input of inputs) {
    const step = await service.beginAdd(input);
    // The sandbox's demo accounts ask for no unblock or verification code.
    if (step.status !== 'done') throw new Error(`the sandbox asked for a ${step.status.replace(/-/g, ' ')} to sign in to ${input.name}`);
    added.push({ view: step.account, role: input.name === DEMO_SELFHOSTED_ACCOUNT ? 'migration-target' : 'backed-up', replaced: earlier.has(input.name) });
  }
  return added;
}
