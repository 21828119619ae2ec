import type { LoggerService } from '@nestjs/common';

const REPEAT_AFTER_MS = 60_000;

/**
 * Connection errors repeat on every reconnection attempt (several a second while Redis is down);
 * this logs the first of each source, then at most one a minute, with how many were skipped.
 */
export function throttledWarning(logger: Pick<LoggerService, 'warn'>): (message: string) => void {
  let lastAt = 0;
  let skipped = 0;
  return (message) => {
    const now = Date.now();
    if (now - lastAt < REPEAT_AFTER_MS) {
      skipped += 1;
      return;
    }
    logger.warn(skipped > 0 ? `${message} (and ${skipped} similar since the last report)` : message);
    lastAt = now;
    skipped = 0;
  };
}
