import { AccountLock, SnapshotRepository, SnapshotWriter, type PrismaClient } from '../store/index.js';
import type { KeyCustody } from '../vault/index.js';
import { DEFAULT_WEBHOOK_TIMEOUT_MS, postAlertWebhook } from './alert-webhook.js';
import { failureSummary, AccountNotFoundError } from './errors.js';
import { parseAlertSettings } from './health-alerts.js';
import { SnapshotRun } from './snapshot-run.js';
import type { BackupRequest, SnapshotSummary } from './types.js';

export interface BackupEngineOptions {
  prisma: PrismaClient;
  /** For the per-account advisory lock, which holds its own connection. */
  databaseUrl: string;
  keyCustody: KeyCustody;
  /** Snapshot start and finish times; defaults to the wall clock. */
  clock?: () => Date;
  /** Records per page read, and per store transaction. Default 1000. */
  pageSize?: number;
  /** Reads of a collection that keeps answering 412 before the snapshot fails. Default 3. */
  collectionAttempts?: number;
  webhookTimeoutMs?: number;
}

const DEFAULT_PAGE_SIZE = 1000;
const DEFAULT_COLLECTION_ATTEMPTS = 3;

/**
 * Takes snapshots of Sync accounts into the store: incremental by construction (untouched
 * collections cost nothing, moved ones cost what changed), one run per account at a time, and
 * all-or-nothing (a run that fails or dies leaves no snapshot marked complete, and the next run
 * undoes whatever it had written).
 */
export class BackupEngine {
  private readonly prisma: PrismaClient;
  private readonly databaseUrl: string;
  private readonly keyCustody: KeyCustody;
  private readonly clock: () => Date;
  private readonly pageSize: number;
  private readonly collectionAttempts: number;
  private readonly webhookTimeoutMs: number;
  private readonly writer: SnapshotWriter;
  private readonly repository: SnapshotRepository;

  constructor(options: BackupEngineOptions) {
    this.prisma = options.prisma;
    this.databaseUrl = options.databaseUrl;
    this.keyCustody = options.keyCustody;
    this.clock = options.clock ?? (() => new Date());
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.collectionAttempts = options.collectionAttempts ?? DEFAULT_COLLECTION_ATTEMPTS;
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) throw new RangeError('pageSize must be a whole number >= 1');
    if (!Number.isInteger(this.collectionAttempts) || this.collectionAttempts < 1) throw new RangeError('collectionAttempts must be a whole number >= 1');
    this.writer = new SnapshotWriter(this.prisma);
    this.repository = new SnapshotRepository(this.prisma);
  }

  /**
   * Takes one snapshot. Fails at once with AccountBusyError when another job holds the account;
   * any other failure marks the snapshot failed (its writes undone) and rethrows the error as
   * the protocol layer raised it (WrongAccountKeyError, ServiceUnavailableError, ...).
   */
  async run(request: BackupRequest): Promise<SnapshotSummary> {
    const account = await this.prisma.account.findUnique({ where: { id: request.accountId }, select: { alertSettings: true } });
    if (account === null) throw new AccountNotFoundError(request.accountId);
    const alertSettings = parseAlertSettings(account.alertSettings);

    const { summary, alertIds } = await AccountLock.with(this.databaseUrl, request.accountId, async () => {
      await this.writer.recoverInterrupted(request.accountId);
      const previous = await this.repository.latestComplete(request.accountId);
      const startedAt = this.clock();
      const seq = await this.writer.begin(request.accountId, { trigger: request.trigger, tags: request.tags ?? [], startedAt });
      const run = new SnapshotRun({
        request,
        seq,
        startedAt,
        previous,
        writer: this.writer,
        repository: this.repository,
        keyCustody: this.keyCustody,
        alertSettings,
        pageSize: this.pageSize,
        collectionAttempts: this.collectionAttempts,
        clock: this.clock,
      });
      try {
        return await run.execute();
      } catch (error) {
        // If even the rollback fails, the snapshot stays `running` and the next run undoes it.
        await this.writer.rollback(request.accountId, seq, failureSummary(error)).catch(() => undefined);
        throw error;
      }
    });

    if (alertSettings.webhookUrl !== undefined && summary.alerts.length > 0) {
      const delivered = await postAlertWebhook(
        alertSettings.webhookUrl,
        { accountId: summary.accountId, snapshotSeq: summary.seq, alerts: summary.alerts },
        this.webhookTimeoutMs,
      );
      if (delivered) await this.writer.markAlertsDelivered(alertIds, this.clock()).catch(() => undefined);
    }
    return summary;
  }
}
