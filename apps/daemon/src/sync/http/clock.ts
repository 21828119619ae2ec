/**
 * Server clock minus local clock, learnt from server timestamps, so Hawk signatures carry the
 * server's notion of "now" (Python servers reject more than 60 s of skew).
 */
export class ClockOffset {
  private offset = 0;

  /** Whole seconds to add to the local clock; 0 until a server timestamp was seen. */
  get offsetSeconds(): number {
    return this.offset;
  }

  /** Reads X-Weave-Timestamp (storage), X-Timestamp (tokenserver), Timestamp (FxA) or a Hawk 401 `ts` hint. */
  observe(headers: Readonly<Record<string, string>>): void {
    const hawkHint = /\bts="(\d+)"/.exec(headers['www-authenticate'] ?? '')?.[1];
    for (const value of [hawkHint, headers['x-weave-timestamp'], headers['x-timestamp'], headers['timestamp']]) {
      const seconds = value === undefined ? NaN : Number(value);
      if (Number.isFinite(seconds) && seconds > 0) {
        this.observeServerSeconds(seconds);
        return;
      }
    }
  }

  /** For servers that report their time in a body (FxA errno 111 `serverTime`). */
  observeServerSeconds(serverSeconds: number): void {
    this.offset = Math.round(serverSeconds - Date.now() / 1000);
  }
}
