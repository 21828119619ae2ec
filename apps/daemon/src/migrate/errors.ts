import type { MigrationResult } from './types.js';

/** The migration cannot run as asked (the plan's refusal, or a request that contradicts itself). */
export class MigrationRefusedError extends Error {
  override readonly name = 'MigrationRefusedError';
}

export class MigrationNotFoundError extends Error {
  override readonly name = 'MigrationNotFoundError';
  constructor(id: string) {
    super(`no migration ${id}`);
  }
}

/** The upload finished but the target does not hold what was sent; names the first records. */
export class MigrationVerificationError extends Error {
  override readonly name = 'MigrationVerificationError';
  constructor(readonly result: MigrationResult) {
    const { mismatches } = result.verification;
    const named = mismatches.slice(0, 5).map((mismatch) => `${mismatch.collection}/${mismatch.id} (${mismatch.problem})`).join(', ');
    const total = result.verification.collections.reduce((sum, collection) => sum + collection.mismatches, 0);
    super(`verification failed: ${total} record(s) on the target differ from the source: ${named}${total > 5 ? ', …' : ''}`);
  }
}
