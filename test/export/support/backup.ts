import assert from 'node:assert/strict';
import type { ApiClient } from '../../api/support/api-client.js';

interface Job {
  state: string;
  failedReason: string | null;
  result: { seq: number } | null;
}

/** Backs the account up through the API (the daemon's worker runs it) and returns the new snapshot's number. */
export async function backUpThroughApi(api: ApiClient, account: string, timeoutMs = 120_000): Promise<number> {
  const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', `/api/accounts/${encodeURIComponent(account)}/backups`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await api.expect<Job>(200, 'GET', `/api/jobs/${jobId}`);
    if (job.state === 'failed') assert.fail(`the backup failed: ${job.failedReason}`);
    if (job.state === 'completed' && job.result !== null) return job.result.seq;
    if (Date.now() > deadline) assert.fail(`backup job ${jobId} still ${job.state}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
