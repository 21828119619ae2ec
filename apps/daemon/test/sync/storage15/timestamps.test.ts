import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatSyncTimestamp,
  InvalidTimestampError,
  parseOptionalSyncTimestamp,
  parseSyncTimestamp,
} from '../../../src/sync/storage/index.js';

describe('Sync timestamps', () => {
  it('parses 0, 1 and 2 decimals to integer ms', () => {
    assert.equal(parseSyncTimestamp('1700000000'), 1700000000000);
    assert.equal(parseSyncTimestamp('1700000000.2'), 1700000000200);
    assert.equal(parseSyncTimestamp('1700000000.25'), 1700000000250);
    assert.equal(parseSyncTimestamp('1700000000.'), 1700000000000);
    assert.equal(parseSyncTimestamp(' 1700000000.05 '), 1700000000050);
  });

  it('has no float error, for strings and JSON numbers alike', () => {
    // 1700000000.29 * 1000 is 1700000000289.9998 in binary floating point.
    assert.equal(parseSyncTimestamp('1700000000.29'), 1700000000290);
    assert.equal(parseSyncTimestamp(1700000000.29), 1700000000290);
    assert.equal(parseSyncTimestamp(JSON.parse('{"t": 1700000000.57}').t as number), 1700000000570);
    for (let hundredths = 0; hundredths < 100; hundredths++) {
      const text = `1234567890.${String(hundredths).padStart(2, '0')}`;
      assert.equal(parseSyncTimestamp(Number(text)), 1234567890000 + hundredths * 10, text);
    }
  });

  it('handles large values and rounds digits past the millisecond', () => {
    assert.equal(parseSyncTimestamp('9999999999.99'), 9999999999990);
    assert.equal(parseSyncTimestamp('4102444800.12'), 4102444800120);
    assert.equal(parseSyncTimestamp('1700000000.1234'), 1700000000123);
    assert.equal(parseSyncTimestamp('1700000000.9996'), 1700000001000);
    assert.equal(parseSyncTimestamp(0), 0);
  });

  it('rejects what is not a timestamp', () => {
    for (const bad of ['', 'abc', '-1', '1e9', '1.2.3', '99999999999999999999']) {
      assert.throws(() => parseSyncTimestamp(bad), InvalidTimestampError, bad);
    }
    assert.equal(parseOptionalSyncTimestamp(undefined), undefined);
    assert.equal(parseOptionalSyncTimestamp('junk'), undefined);
    assert.equal(parseOptionalSyncTimestamp({}), undefined);
    assert.equal(parseOptionalSyncTimestamp('1700000000.5'), 1700000000500);
  });

  it('formats back to two-decimal seconds (three when not on a 10 ms step)', () => {
    assert.equal(formatSyncTimestamp(1700000000250), '1700000000.25');
    assert.equal(formatSyncTimestamp(1700000000000), '1700000000.00');
    assert.equal(formatSyncTimestamp(1700000000050), '1700000000.05');
    assert.equal(formatSyncTimestamp(1700000000290), '1700000000.29');
    assert.equal(formatSyncTimestamp(1700000000123), '1700000000.123');
    assert.equal(formatSyncTimestamp(0), '0.00');
    assert.throws(() => formatSyncTimestamp(1.5), InvalidTimestampError);
    assert.throws(() => formatSyncTimestamp(-10), InvalidTimestampError);
  });

  it('round-trips', () => {
    for (const ms of [1700000000290, 1234567890010, 9999999999990]) assert.equal(parseSyncTimestamp(formatSyncTimestamp(ms)), ms);
  });
});
