/** Retention jobs: what they do, and when a backup queues one. */
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { PrismaClient } from '../store/prisma.js';
import { describe, isAccountBusy } from './backup-job.js';
import type { RetentionRunner } from './contracts.js';
import { newJobOptions, type RetentionJobData } from './queues.js';
import { InvalidRetentionPolicyError, isEmptyPolicy, parseRetentionPolicy } from '../retention/policy.js';

export class RetentionJobHandler {
  constructor(private readonly retentionRunner: RetentionRunner) {}

  async handle(job: Job<RetentionJobData>): Promise<unknown> {
    try {
      return (await this.retentionRunner.applyRetention(job.data.accountId)) ?? null;
    } catch (error) {
      if (isAccountBusy(error)) throw new UnrecoverableError(describe(error));
      throw error;
    }
  }
}

/** True when a stored policy (`Account.retention`) would remove anything: `{}` keeps every snapshot. */
export function hasRetentionPolicy(retention: unknown): boolean {
  try {
    return !isEmptyPolicy(parseRetentionPolicy(retention));
  } catch (error) {
    // Stored policies are validated when saved; anything else is no policy to apply.
    if (error instanceof InvalidRetentionPolicyError) return false;
    throw error;
  }
}

/** Queues a retention job for the account if it has a policy; returns the job id, or null. */
export async function queueRetentionIfPolicy(
  prisma: PrismaClient,
  retentionQueue: Queue<RetentionJobData>,
  accountId: string,
  trigger: RetentionJobData['trigger'],
): Promise<string | null> {
  const account = await prisma.account.findUnique({ where: { id: accountId }, select: { retention: true } });
  if (account === null || !hasRetentionPolicy(account.retention)) return null;
  const job = await retentionQueue.add('retention', { accountId, trigger }, newJobOptions());
  return job.id ?? null;
}
