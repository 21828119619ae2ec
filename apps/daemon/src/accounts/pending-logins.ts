import { randomBytes } from 'node:crypto';
import { LoginExpiredError, LoginInProgressError } from './errors.js';

export interface PendingLoginsOptions<T> {
  ttlMs: number;
  /** Clock (ms); tests move it. */
  now?: () => number;
  /** Called once for a login that expired unfinished (e.g. to end its FxA session); errors are ignored. */
  onExpire?: (value: T) => unknown;
}

interface Entry<T> {
  value: T;
  expiresAt: number;
  busy: boolean;
  timer: NodeJS.Timeout;
}

/**
 * Sign-ins waiting for the user, in memory only: they hold derived secrets (session tokens, the
 * stretched password) that must never reach the database, and they are worthless after a restart
 * anyway. Each expires `ttlMs` after it began; ids are 128 random bits, so one cannot be guessed.
 */
export class PendingLogins<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly now: () => number;

  constructor(private readonly options: PendingLoginsOptions<T>) {
    this.now = options.now ?? Date.now;
  }

  get ttlMinutes(): number {
    return Math.round(this.options.ttlMs / 60_000);
  }

  get size(): number {
    return this.entries.size;
  }

  add(value: T): { loginId: string; expiresAt: number } {
    const loginId = randomBytes(16).toString('base64url');
    const expiresAt = this.now() + this.options.ttlMs;
    // The timer only frees memory (and ends the FxA session); expiry itself is checked against the clock.
    const timer = setTimeout(() => this.expire(loginId), this.options.ttlMs);
    timer.unref();
    this.entries.set(loginId, { value, expiresAt, busy: false, timer });
    return { loginId, expiresAt };
  }

  /** Replaces the value of a login (its next step), keeping its id and expiry. */
  update(loginId: string, value: T): { loginId: string; expiresAt: number } {
    const entry = this.live(loginId);
    entry.value = value;
    return { loginId, expiresAt: entry.expiresAt };
  }

  /**
   * Runs `work` on a login, one request at a time: a second concurrent caller gets
   * LoginInProgressError rather than submitting the same code twice.
   */
  async run<R>(loginId: string, work: (value: T, expiresAt: number) => Promise<R>): Promise<R> {
    const entry = this.live(loginId);
    if (entry.busy) throw new LoginInProgressError();
    entry.busy = true;
    try {
      return await work(entry.value, entry.expiresAt);
    } finally {
      entry.busy = false;
      // Its timer may have fired while it ran (expiry skips busy logins).
      if (this.entries.get(loginId) === entry && this.now() >= entry.expiresAt) this.expire(loginId);
    }
  }

  /** Forgets a login; returns its value, or undefined if it was unknown. Refuses one that is running. */
  remove(loginId: string, options: { evenIfBusy?: boolean } = {}): T | undefined {
    const entry = this.entries.get(loginId);
    if (entry === undefined) return undefined;
    if (entry.busy && !options.evenIfBusy) throw new LoginInProgressError();
    clearTimeout(entry.timer);
    this.entries.delete(loginId);
    return entry.value;
  }

  /** Forgets every login (shutdown), ending each as if it expired. */
  clear(): void {
    for (const loginId of [...this.entries.keys()]) this.expire(loginId);
  }

  private live(loginId: string): Entry<T> {
    const entry = typeof loginId === 'string' ? this.entries.get(loginId) : undefined;
    if (entry === undefined) throw new LoginExpiredError(this.ttlMinutes);
    if (this.now() >= entry.expiresAt && !entry.busy) {
      this.expire(loginId);
      throw new LoginExpiredError(this.ttlMinutes);
    }
    return entry;
  }

  private expire(loginId: string): void {
    const entry = this.entries.get(loginId);
    if (entry === undefined || entry.busy) return;
    clearTimeout(entry.timer);
    this.entries.delete(loginId);
    try {
      void Promise.resolve(this.options.onExpire?.(entry.value)).catch(() => undefined);
    } catch {
      // Ending a login is best effort: the accounts server expires it too.
    }
  }
}
