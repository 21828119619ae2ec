import type { HealthAlertSummary } from './types.js';

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

export interface AlertWebhookMessage {
  accountId: string;
  snapshotSeq: number;
  alerts: HealthAlertSummary[];
}

/**
 * POSTs a snapshot's alerts as JSON. Best effort: true when the receiver answered 2xx in time,
 * false on any failure (the backup it reports on has already completed and must not fail).
 */
export async function postAlertWebhook(url: string, message: AlertWebhookMessage, timeoutMs = DEFAULT_WEBHOOK_TIMEOUT_MS): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Syncvault/0.1' },
      body: JSON.stringify({ source: 'syncvault', ...message }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
