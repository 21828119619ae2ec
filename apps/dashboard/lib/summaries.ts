/** What the overview and the accounts page show per account, gathered from several API calls. */
import { api } from './api';
import type { Account, HealthAlert, Snapshot } from './types';

export interface AccountSummary {
  account: Account;
  /** The newest snapshot, whatever its status. */
  latest: Snapshot | null;
  /** The newest complete snapshot (the same as `latest` when that one completed). */
  lastComplete: Snapshot | null;
  /** Open (not yet acknowledged) health alerts, newest first. */
  alerts: HealthAlert[];
}

export async function accountSummary(account: Account): Promise<AccountSummary> {
  const [latest = null] = await api.snapshots(account.id, { limit: 1 });
  const lastComplete = latest === null || latest.status === 'complete' ? latest : ((await api.snapshots(account.id, { limit: 1, status: 'complete' }))[0] ?? null);
  const alerts = await api.alerts(account.id, { state: 'open', limit: 20 });
  return { account, latest, lastComplete, alerts };
}

export async function accountSummaries(): Promise<AccountSummary[]> {
  const accounts = await api.accounts();
  return Promise.all(accounts.map(accountSummary));
}
