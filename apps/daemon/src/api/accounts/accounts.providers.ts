/**
 * The daemon's one AccountService (pending sign-ins live in its memory, so every request must
 * reach the same instance), wired so each saved change is mirrored into the BullMQ job schedulers.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { AccountService } from '../../accounts/index.js';
import { KEY_CUSTODY, PRISMA, VAULT } from '../../app/tokens.js';
import { describe } from '../../jobs/backup-job.js';
import { withRedisTimeout } from '../../jobs/jobs-service.js';
import { SchedulesService } from '../../jobs/schedules.js';
import type { PrismaClient } from '../../store/prisma.js';
import type { KeyCustody, Vault } from '../../vault/index.js';
import { NextRuns } from './next-runs.js';

const SCHEDULE_RETRY_MS = 5000;

/**
 * Mirrors an account's schedule after each change. Postgres already holds the change when this
 * runs, so an unreachable Redis does not fail the request: the mirror is retried in the
 * background until it works (and `serve` reconciles every schedule at start-up anyway).
 */
@Injectable()
export class AccountScheduleMirror implements OnApplicationShutdown {
  private readonly logger = new Logger('Schedules');
  private readonly retries = new Map<string, ReturnType<typeof setTimeout>>();
  private stopped = false;

  constructor(@Inject(SchedulesService) private readonly schedules: SchedulesService) {}

  async mirror(accountId: string): Promise<void> {
    clearTimeout(this.retries.get(accountId));
    this.retries.delete(accountId);
    try {
      await withRedisTimeout(this.schedules.sync(accountId));
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn(`account ${accountId}: could not mirror its schedule to BullMQ (${describe(error)}); retrying every ${SCHEDULE_RETRY_MS / 1000}s`);
      this.retryLater(accountId);
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
  }

  private retryLater(accountId: string): void {
    const timer = setTimeout(() => {
      this.retries.delete(accountId);
      void withRedisTimeout(this.schedules.sync(accountId)).then(
        () => this.logger.log(`account ${accountId}: schedule mirrored to BullMQ`),
        () => {
          if (!this.stopped && !this.retries.has(accountId)) this.retryLater(accountId);
        },
      );
    }, SCHEDULE_RETRY_MS);
    timer.unref();
    this.retries.set(accountId, timer);
  }
}

/** Ends the sign-ins still waiting for a user (their FxA sessions) when the daemon stops. */
@Injectable()
class AccountServiceShutdown implements OnApplicationShutdown {
  constructor(@Inject(AccountService) private readonly accounts: AccountService) {}

  onApplicationShutdown(): void {
    this.accounts.close();
  }
}

export const ACCOUNT_PROVIDERS: Provider[] = [
  AccountScheduleMirror,
  NextRuns,
  {
    provide: AccountService,
    useFactory: (prisma: PrismaClient, vault: Vault, keyCustody: KeyCustody, schedules: AccountScheduleMirror) =>
      new AccountService({ prisma, vault, keyCustody, onChange: (change) => schedules.mirror(change.account.id) }),
    inject: [PRISMA, VAULT, KEY_CUSTODY, AccountScheduleMirror],
  },
  AccountServiceShutdown,
];
