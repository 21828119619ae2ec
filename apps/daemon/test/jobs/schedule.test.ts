import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidScheduleError, parseSchedule } from '../../src/jobs/schedule.js';

describe('parseSchedule', () => {
  it('reads intervals as every <n><s|m|h|d>', () => {
    assert.deepEqual(parseSchedule('every 1s'), { every: 1000 });
    assert.deepEqual(parseSchedule('every 15m'), { every: 900_000 });
    assert.deepEqual(parseSchedule(' Every 6H '), { every: 21_600_000 });
    assert.deepEqual(parseSchedule('every 2 d'), { every: 172_800_000 });
  });

  it('reads 5- and 6-field cron patterns and shortcuts', () => {
    assert.deepEqual(parseSchedule('0 3 * * *'), { pattern: '0 3 * * *' });
    assert.deepEqual(parseSchedule('30 0 3 * * 1-5'), { pattern: '30 0 3 * * 1-5' });
    assert.deepEqual(parseSchedule('@daily'), { pattern: '@daily' });
  });

  it('refuses anything else with a one-line reason', () => {
    for (const [text, reason] of [
      ['every 0s', /from 1s to 366d/],
      ['every 400d', /from 1s to 366d/],
      ['every 5 minutes', /every <number><s\|m\|h\|d>/],
      ['every', /every <number>/],
      ['* * * *', /5- or 6-field cron pattern/],
      ['61 * * * *', /not a valid cron pattern/],
      ['daily', /neither/],
      ['', /neither/],
    ] as const) {
      assert.throws(
        () => parseSchedule(text),
        (error: unknown) => error instanceof InvalidScheduleError && reason.test(error.message) && !error.message.includes('\n'),
        text,
      );
    }
  });
});
