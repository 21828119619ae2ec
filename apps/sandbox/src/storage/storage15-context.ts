/** What a storage 1.5 endpoint handler gets, and the two-phase shape handlers have. */
import type { FastifyRequest } from 'fastify';
import type { StorageLimits } from '../contracts.js';
import type { UserStorage } from './engine.js';
import { WeaveError, rustFloat, type Outcome } from './http.js';

export interface Request15 {
  request: FastifyRequest;
  user: UserStorage;
  /** Decoded collection name ('' on URLs without one). */
  collection: string;
  /** Decoded BSO id ('' on URLs without one). */
  id: string;
  params: URLSearchParams;
  limits: StorageLimits;
}

/**
 * A handler reads and validates its input first (throwing WeaveError for a 400/413/415) and
 * returns the action, which runs only if the request's precondition headers let it.
 */
export type Handler15 = (context: Request15) => () => Outcome;

const OVER_QUOTA = 14;

/** With a quota, writes are refused once the user's live payload bytes have reached it. */
export function checkQuota(context: Request15): void {
  const quota = context.limits.max_quota_limit;
  if (quota > 0 && context.user.usageBytes() >= quota) {
    throw new WeaveError(403, OVER_QUOTA, { 'X-Weave-Quota-Remaining': rustFloat(0) });
  }
}

/** X-Weave-Quota-Remaining (KB) for a successful write, when quotas are on. */
export function quotaHeaders(context: Request15): Record<string, string> {
  const quota = context.limits.max_quota_limit;
  if (quota <= 0) return {};
  const remainingKb = Math.max(0, quota - context.user.usageBytes()) / 1024;
  return { 'X-Weave-Quota-Remaining': rustFloat(remainingKb) };
}
