/**
 * The full stack a browser test drives: a migrated scratch database and a Redis prefix, the sandbox
 * over HTTP, the daemon (API and workers, admin password known), and the dashboard's standalone
 * server pointed at the daemon through SYNCVAULT_API_URL.
 */
import { randomBytes } from 'node:crypto';
import { AccountsSandbox, uniqueEmail, type SandboxAccount } from '../../accounts/support.js';
import { ApiClient } from '../../api/support/api-client.js';
import { ADMIN_PASSWORD, createTestWorld, login, startDaemon, type TestDaemon, type TestWorld } from '../../api/support/daemon.js';
import { ensureDashboardBuild } from './dashboard-build.js';
import { startDashboard, type RunningDashboard } from './dashboard-server.js';

export { ADMIN_PASSWORD };

export interface Stack {
  world: TestWorld;
  sandbox: AccountsSandbox;
  daemon: TestDaemon;
  dashboard: RunningDashboard;
  /** The daemon's API, signed in (straight to the daemon, not through the dashboard). */
  api: ApiClient;
  /** With `firstStart`: the password the daemon generated for the admin it created. */
  generatedPassword?: string;
  close(): Promise<void>;
}

/**
 * `firstStart`: the daemon creates the admin itself, with a generated one-time password (as
 * without SYNCVAULT_ADMIN_PASSWORD), instead of ADMIN_PASSWORD.
 */
export async function startStack(label: string, options: { basePath?: string; firstStart?: boolean } = {}): Promise<Stack> {
  const build = ensureDashboardBuild(options.basePath ?? '');
  const world = createTestWorld(label);
  const parts: Partial<Stack> = { world };
  try {
    parts.sandbox = await AccountsSandbox.start();
    parts.daemon = await startDaemon(world, options.firstStart === true ? { adminPassword: undefined, onAdminCreated: (admin) => (parts.generatedPassword = admin.password) } : {});
    parts.dashboard = await startDashboard(build, parts.daemon.url);
    parts.api = new ApiClient(parts.daemon.url, await login(parts.daemon.url, parts.generatedPassword));
  } catch (error) {
    await closeParts(parts);
    throw error;
  }
  const stack = parts as Stack;
  stack.close = () => closeParts(parts);
  return stack;
}

async function closeParts(parts: Partial<Stack>): Promise<void> {
  await parts.dashboard?.close();
  await parts.daemon?.close();
  await parts.sandbox?.close();
  await parts.world?.drop();
}

/** A Firefox Accounts user on the sandbox, added to Syncvault as a self-hosted 1.5 account through the API; seed `none` leaves its storage empty. */
export async function addFxaAccount(stack: Stack, name: string, seed: 'none' | Record<string, number | boolean>): Promise<{ id: string; sandbox: SandboxAccount & { storageUid?: string } }> {
  const user = await stack.sandbox.control<SandboxAccount & { storageUid?: string }>('POST', '/accounts', {
    kind: 'fxa',
    email: uniqueEmail(name),
    password: `pw-${randomBytes(8).toString('hex')}`,
    seed,
  });
  const added = await stack.api.expect<{ account: { id: string } }>(201, 'POST', '/api/accounts', {
    name,
    kind: 'selfhosted15',
    email: user.email,
    password: user.password,
    fxaUrl: stack.sandbox.urls.fxa,
    tokenServerUrl: stack.sandbox.urls.tokenServer,
  });
  return { id: added.account.id, sandbox: user };
}

/** A Sync 1.1 user on the sandbox, added as a legacy account through the API. */
export async function addLegacyAccount(stack: Stack, name: string, seed: Record<string, number | boolean>): Promise<{ id: string; sandbox: SandboxAccount }> {
  const user = await stack.sandbox.control<SandboxAccount>('POST', '/accounts', {
    kind: 'legacy11',
    email: uniqueEmail(name),
    password: `pw-${randomBytes(8).toString('hex')}`,
    seed,
  });
  const added = await stack.api.expect<{ account: { id: string } }>(201, 'POST', '/api/accounts', {
    name,
    kind: 'legacy11',
    email: user.email,
    password: user.password,
    syncKey: user.syncKey,
    serverUrl: stack.sandbox.urls.storage11,
  });
  return { id: added.account.id, sandbox: user };
}
