/** The plan a migration is checked against before it is queued (API) or run (CLI). */
import type { MigrationPlan, MigrationRequest } from '../migrate/types.js';
import { SnapshotRepository, type PrismaClient } from '../store/index.js';
import type { MigrationPlanner } from './contracts.js';
import { resolveAccount } from './jobs-service.js';

/**
 * The plan of `request`, or null when there is nothing to plan from yet: no snapshot named and the
 * source never backed up. The service plans only from a snapshot, while a run takes a fresh one
 * first and then plans (refusing what the plan refuses), so such a migration can still be started.
 */
export async function planBeforeRun(planner: Pick<MigrationPlanner, 'plan'>, prisma: PrismaClient, request: MigrationRequest): Promise<MigrationPlan | null> {
  if (request.fromSnapshot === undefined) {
    const source = await resolveAccount(prisma, request.source);
    if ((await new SnapshotRepository(prisma).latestComplete(source.id)) === null) return null;
  }
  return planner.plan(request);
}
