import { startSandbox, type RunningSandbox, type SandboxOptions, type SeedSize } from '@syncvault/sandbox';
import { FxaClient, type FxaCredentials } from '@syncvault/daemon/sync';

export interface BenchAccount {
  sandbox: RunningSandbox;
  credentials: FxaCredentials;
  email: string;
  password: string;
}

/** Creates a Sync 1.5 account on a running sandbox through its control API, its storage seeded to the given size. */
export async function createBenchFxaAccount(sandbox: RunningSandbox, email: string, password: string, seed: Partial<SeedSize> | 'none'): Promise<void> {
  const response = await fetch(`${sandbox.urls.control}/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'fxa', email, password, seed }),
  });
  if (!response.ok) throw new Error(`creating the bench account ${email} failed: ${response.status} ${await response.text()}`);
}

/** A fresh sandbox with one Sync 1.5 account seeded to the given size, signed in through the real clients. */
export async function benchAccount(seed: Partial<SeedSize>, sandboxOptions: Omit<SandboxOptions, 'port' | 'seed'> = {}): Promise<BenchAccount> {
  const sandbox = await startSandbox({ ...sandboxOptions, port: 0, seed: 'none' });
  const email = 'bench@syncvault.test';
  const password = 'bench password';
  await createBenchFxaAccount(sandbox, email, password, seed);
  const fxa = new FxaClient({ authServerUrl: sandbox.urls.fxa });
  const step = await fxa.beginLogin(email, password);
  if (step.kind !== 'done') throw new Error(`unexpected login step ${step.kind}`);
  return { sandbox, credentials: step.session, email, password };
}
