/** Account schedules as stored in Postgres (`Account.schedule`) and as BullMQ repeat options. */
import { CronExpressionParser } from 'cron-parser';

export class InvalidScheduleError extends Error {
  override readonly name = 'InvalidScheduleError';
}

/** BullMQ repeat options of one schedule: a fixed interval or a cron pattern (UTC). */
export type ParsedSchedule = { every: number } | { pattern: string };

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const EVERY = /^every\s+(\d{1,9})\s*([smhd])$/i;
/** A year of milliseconds: anything longer is almost certainly a typo. */
const LONGEST_INTERVAL_MS = 366 * UNIT_MS.d;

/**
 * Parses `every <n><s|m|h|d>` (e.g. `every 6h`) or a 5- or 6-field cron pattern (or a cron
 * shortcut such as `@daily`); throws InvalidScheduleError with a one-line reason.
 */
export function parseSchedule(text: string): ParsedSchedule {
  const schedule = text.trim();
  const every = EVERY.exec(schedule);
  if (every !== null) {
    const unit = every[2]!.toLowerCase() as keyof typeof UNIT_MS;
    const ms = Number(every[1]) * UNIT_MS[unit];
    if (ms <= 0 || ms > LONGEST_INTERVAL_MS) throw new InvalidScheduleError(`schedule "${schedule}": the interval must be from 1s to 366d`);
    return { every: ms };
  }
  if (/^every\b/i.test(schedule)) throw new InvalidScheduleError(`schedule "${schedule}": write an interval as every <number><s|m|h|d>, e.g. every 6h`);
  const fields = schedule.split(/\s+/).length;
  if (!schedule.startsWith('@') && fields !== 5 && fields !== 6) {
    throw new InvalidScheduleError(`schedule "${schedule}" is neither "every <n><s|m|h|d>" nor a 5- or 6-field cron pattern`);
  }
  try {
    CronExpressionParser.parse(schedule, { tz: 'UTC' });
  } catch (error) {
    throw new InvalidScheduleError(`schedule "${schedule}" is not a valid cron pattern: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { pattern: schedule };
}
