import { randomBytes } from 'node:crypto';

export const TEST_REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run uses, so BullMQ queues of concurrent tests never meet. */
export function uniqueRedisPrefix(label = 'test'): string {
  return `syncvault-${label}-${randomBytes(5).toString('hex')}`;
}
