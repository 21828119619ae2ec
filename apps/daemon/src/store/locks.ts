import pg from 'pg';

/** An account already has a job writing to it (backup, retention, restore, migration). */
export class AccountBusyError extends Error {
  override readonly name = 'AccountBusyError';
  constructor(readonly accountId: string) {
    super(`another job is already working on account ${accountId}; try again when it has finished`);
  }
}

/** The advisory-lock key of an account: Postgres hashes the text, so every process agrees. */
const ACCOUNT_LOCK_SQL = "hashtextextended('syncvault:account:' || $1, 0)";

/**
 * Key of the lock between blob garbage collection (exclusive) and transactions that insert record
 * versions pointing at blobs (shared): without it a blob found unreferenced could be deleted just
 * as another account's backup starts to reference it again.
 */
export const BLOB_GC_LOCK_KEY = 0x53594e43_0001n;

/**
 * Per-account mutual exclusion across processes and hosts: a session-level Postgres advisory lock
 * on its own connection. If the holder dies (even with SIGKILL) its connection closes and
 * Postgres releases the lock; nothing in Redis has to be cleaned up.
 */
export class AccountLock {
  private constructor(
    readonly accountId: string,
    private readonly client: pg.Client,
  ) {}

  /** Takes the lock or fails at once with AccountBusyError. */
  static async acquire(databaseUrl: string, accountId: string): Promise<AccountLock> {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: `syncvault account lock ${accountId}` });
    await client.connect();
    try {
      const result = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${ACCOUNT_LOCK_SQL}) AS locked`, [accountId]);
      if (result.rows[0]?.locked !== true) throw new AccountBusyError(accountId);
      return new AccountLock(accountId, client);
    } catch (error) {
      await client.end();
      throw error;
    }
  }

  /** Runs `work` holding the account's lock. */
  static async with<T>(databaseUrl: string, accountId: string, work: () => Promise<T>): Promise<T> {
    const lock = await AccountLock.acquire(databaseUrl, accountId);
    try {
      return await work();
    } finally {
      await lock.release();
    }
  }

  async release(): Promise<void> {
    try {
      await this.client.query(`SELECT pg_advisory_unlock(${ACCOUNT_LOCK_SQL})`, [this.accountId]);
    } finally {
      await this.client.end();
    }
  }
}
