import { startSandbox, type RunningSandbox, type SeedSize } from '@syncvault/sandbox';
import { FxaClient, type FxaCredentials } from '@syncvault/daemon/sync';

export interface BenchAccount {
  sandbox: RunningSandbox;
  credentials: FxaCredentials;
}

/** A fresh sandbox with one Sync 1.5 account seeded to the given size, signed in through the real clients. */
export async function benchAccount(seed: Partial<SeedSize>): Promise<BenchAccount> {
  const sandbox = await startSandbox({ port: 0, seed: 'none' });
  const email = 'bench@syncvault.test';
  const password = 'bench password';
  const response = await fetch(`${sandbox.urls.control}/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'fxa', email, password, seed }),
  });
  if (!response.ok) throw new Error(`creating the bench account failed: ${response.status} ${await response.text()}`);
  const fxa = new FxaClient({ authServerUrl: sandbox.urls.fxa });
  const step = await fxa.beginLogin(email, password);
  if (step.kind !== 'done') throw new Error(`unexpected login step ${step.kind}`);
  return { sandbox, credentials: step.session };
}
