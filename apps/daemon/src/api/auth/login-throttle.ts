/**
 * Slows down password guessing: after a few failed sign-ins from one address, each further
 * attempt must wait, twice as long after every failure (up to 15 minutes). Addresses can be many
 * (or forged, when a proxy passes on whatever X-Forwarded-For it was sent), so failures from all
 * addresses together have a ceiling too, with a shorter longest wait: it bounds guessing without
 * letting a stranger lock the admin out for long. In memory, per process: enough for one admin
 * account behind one daemon.
 */
const FREE_FAILURES = 5;
const FIRST_DELAY_MS = 1000;
const LONGEST_DELAY_MS = 15 * 60_000;
const EVERYONE_FREE_FAILURES = 100;
const EVERYONE_LONGEST_DELAY_MS = 60_000;
/** An address that stopped failing for this long starts afresh. */
const FORGET_AFTER_MS = 60 * 60_000;
const MAX_TRACKED = 10_000;

export class TooManyLoginAttemptsError extends Error {
  override readonly name = 'TooManyLoginAttemptsError';
  constructor(
    readonly retryAfterSeconds: number,
    everyone = false,
  ) {
    super(`too many failed sign-ins${everyone ? '' : ' from this address'}; try again in ${retryAfterSeconds}s`);
  }
}

interface Failures {
  count: number;
  lastAt: number;
  blockedUntil: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();
  private everyone: Failures = { count: 0, lastAt: 0, blockedUntil: 0 };

  constructor(private readonly now: () => number = Date.now) {}

  /** Throws TooManyLoginAttemptsError while `address` must wait. */
  check(address: string): void {
    const entry = this.current(address);
    const wait = (entry?.blockedUntil ?? 0) - this.now();
    if (wait > 0) throw new TooManyLoginAttemptsError(Math.ceil(wait / 1000));
    const everyoneWait = this.everyone.blockedUntil - this.now();
    if (everyoneWait > 0) throw new TooManyLoginAttemptsError(Math.ceil(everyoneWait / 1000), true);
  }

  recordFailure(address: string): void {
    const now = this.now();
    if (now - this.everyone.lastAt > FORGET_AFTER_MS) this.everyone = { count: 0, lastAt: now, blockedUntil: 0 };
    this.everyone.count += 1;
    this.everyone.lastAt = now;
    if (this.everyone.count >= EVERYONE_FREE_FAILURES) {
      this.everyone.blockedUntil = now + Math.min(FIRST_DELAY_MS * 2 ** (this.everyone.count - EVERYONE_FREE_FAILURES), EVERYONE_LONGEST_DELAY_MS);
    }
    const entry = this.current(address) ?? { count: 0, lastAt: now, blockedUntil: 0 };
    entry.count += 1;
    entry.lastAt = now;
    if (entry.count >= FREE_FAILURES) entry.blockedUntil = now + Math.min(FIRST_DELAY_MS * 2 ** (entry.count - FREE_FAILURES), LONGEST_DELAY_MS);
    this.failures.delete(address);
    this.failures.set(address, entry);
    // Oldest first in a Map: drop the stalest addresses so a flood of sources cannot grow memory.
    while (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value as string);
  }

  recordSuccess(address: string): void {
    this.failures.delete(address);
    this.everyone = { count: 0, lastAt: 0, blockedUntil: 0 };
  }

  private current(address: string): Failures | undefined {
    const entry = this.failures.get(address);
    if (entry !== undefined && this.now() - entry.lastAt > FORGET_AFTER_MS) {
      this.failures.delete(address);
      return undefined;
    }
    return entry;
  }
}
