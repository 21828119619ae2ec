/**
 * Armed from the control API: the next `count` requests to a path answer 429 errno 114, as
 * Mozilla's rate limiter ("customs") does. Paths are matched without query string.
 */
export class Throttle {
  private readonly rules = new Map<string, { remaining: number; retryAfterSeconds: number }>();

  arm(path: string, count: number, retryAfterSeconds: number): void {
    if (count > 0) this.rules.set(normalize(path), { remaining: count, retryAfterSeconds });
    else this.rules.delete(normalize(path));
  }

  /** Takes one throttled answer for the first matching path; returns its Retry-After, or undefined to let the request through. */
  take(...candidatePaths: string[]): number | undefined {
    for (const path of candidatePaths) {
      const key = normalize(path);
      const rule = this.rules.get(key);
      if (!rule) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rules.delete(key);
      return rule.retryAfterSeconds;
    }
    return undefined;
  }
}

function normalize(path: string): string {
  const withoutQuery = path.split('?')[0] ?? '';
  return withoutQuery.length > 1 ? withoutQuery.replace(/\/+$/, '') : withoutQuery;
}
