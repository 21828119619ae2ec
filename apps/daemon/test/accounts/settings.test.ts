import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  applySettingsUpdate,
  DEFAULT_ACCOUNT_SETTINGS,
  InvalidAccountInputError,
  normalizeSchedule,
  readAlertSettings,
  readRetention,
  type AccountSettings,
  type AccountSettingsUpdate,
} from '../../src/accounts/index.js';

function rejects(work: () => unknown, field: string, reason?: RegExp): void {
  assert.throws(work, (error: unknown) => {
    assert.ok(error instanceof InvalidAccountInputError, String(error));
    assert.equal(error.field, field);
    if (reason !== undefined) assert.match(error.reason, reason);
    return true;
  });
}

describe('schedules', () => {
  it('takes `every <n><unit>` of at least one minute and stores it tidied', () => {
    assert.equal(normalizeSchedule('every 1m'), 'every 1m');
    assert.equal(normalizeSchedule('every 90s'), 'every 90s');
    assert.equal(normalizeSchedule(' Every 06H '), 'every 6h');
    assert.equal(normalizeSchedule('every 2d'), 'every 2d');
    rejects(() => normalizeSchedule('every 59s'), 'schedule', /at least 1 minute/);
    rejects(() => normalizeSchedule('every 0m'), 'schedule');
    rejects(() => normalizeSchedule('every 400d'), 'schedule', /366d/);
    rejects(() => normalizeSchedule('every 5 minutes'), 'schedule', /every <number><s\|m\|h\|d>/);
    rejects(() => normalizeSchedule('every -5m'), 'schedule');
  });

  it('takes 5- and 6-field cron patterns and aliases, as the job schedulers read them', () => {
    assert.equal(normalizeSchedule('0 3 * * *'), '0 3 * * *');
    assert.equal(normalizeSchedule('*/15   *  * * 1-5'), '*/15 * * * 1-5');
    assert.equal(normalizeSchedule('30 0 3 * * *'), '30 0 3 * * *');
    assert.equal(normalizeSchedule('@daily'), '@daily');
  });

  it('refuses invalid cron patterns, wrong field counts and patterns firing more than once a minute', () => {
    rejects(() => normalizeSchedule('61 * * * *'), 'schedule', /not a valid cron pattern/);
    rejects(() => normalizeSchedule('* * *'), 'schedule', /cron pattern/);
    rejects(() => normalizeSchedule('0 0 0 1 1 * 2030'), 'schedule');
    rejects(() => normalizeSchedule('daily'), 'schedule');
    rejects(() => normalizeSchedule('* * * * * *'), 'schedule', /once a minute/);
    rejects(() => normalizeSchedule('0,30 * * * * *'), 'schedule', /once a minute/);
    rejects(() => normalizeSchedule('@secondly'), 'schedule', /once a minute/);
  });

  it('reasons do not repeat the field name', () => {
    assert.throws(() => normalizeSchedule('daily'), (error: unknown) => error instanceof InvalidAccountInputError && !/^schedule/.test(error.reason));
  });
});

describe('applySettingsUpdate (merge patch)', () => {
  const current: AccountSettings = {
    schedule: 'every 6h',
    retention: { keepLast: 10, keepDaily: 7 },
    alertSettings: { shrinkThreshold: 0.3, webhookUrl: 'https://hooks.example.com/a' },
  };

  it('leaves absent fields alone, replaces given ones, and null clears', () => {
    assert.deepEqual(applySettingsUpdate(current, {}), current);
    assert.deepEqual(applySettingsUpdate(current, { retention: { keepWeekly: 4, keepLast: null } }).retention, { keepDaily: 7, keepWeekly: 4 });
    assert.deepEqual(applySettingsUpdate(current, { retention: null }).retention, {});
    assert.equal(applySettingsUpdate(current, { schedule: null }).schedule, null);
    assert.equal(applySettingsUpdate(current, { schedule: '@hourly' }).schedule, '@hourly');
    assert.deepEqual(applySettingsUpdate(current, { alertSettings: { webhookUrl: null } }).alertSettings, { shrinkThreshold: 0.3 });
    assert.deepEqual(applySettingsUpdate(current, { alertSettings: null }).alertSettings, {});
    assert.deepEqual(current.retention, { keepLast: 10, keepDaily: 7 }, 'the current settings are not modified');
  });

  it('retention counts are whole numbers, 0 or more; unknown rules are refused', () => {
    assert.deepEqual(applySettingsUpdate(DEFAULT_ACCOUNT_SETTINGS, { retention: { keepYearly: 0 } }).retention, { keepYearly: 0 });
    for (const bad of [-1, 1.5, Number.NaN, '3', Number.MAX_SAFE_INTEGER + 1]) {
      rejects(() => applySettingsUpdate(DEFAULT_ACCOUNT_SETTINGS, { retention: { keepDaily: bad } } as unknown as AccountSettingsUpdate), 'retention', /keepDaily/);
    }
    rejects(() => applySettingsUpdate(DEFAULT_ACCOUNT_SETTINGS, { retention: { keepForever: 1 } } as unknown as AccountSettingsUpdate), 'retention', /keepForever/);
    rejects(() => applySettingsUpdate(DEFAULT_ACCOUNT_SETTINGS, { retention: [1] } as unknown as AccountSettingsUpdate), 'retention');
  });

  it('alert settings: a share from 0 to 1 and an http(s) webhook', () => {
    assert.deepEqual(applySettingsUpdate(DEFAULT_ACCOUNT_SETTINGS, { alertSettings: { shrinkThreshold: 0, webhookUrl: 'http://127.0.0.1:9/hook/' } }).alertSettings, {
      shrinkThreshold: 0,
      webhookUrl: 'http://127.0.0.1:9/hook',
    });
    for (const bad of [-0.1, 1.01, Number.POSITIVE_INFINITY, '0.2']) {
      rejects(() => applySettingsUpdate(DEFAULT_ACCOUNT_SETTINGS, { alertSettings: { shrinkThreshold: bad } } as unknown as AccountSettingsUpdate), 'alertSettings.shrinkThreshold');
    }
    rejects(() => applySettingsUpdate(DEFAULT_ACCOUNT_SETTINGS, { alertSettings: { webhookUrl: 'mailto:me@example.com' } }), 'alertSettings.webhookUrl');
    rejects(() => applySettingsUpdate(DEFAULT_ACCOUNT_SETTINGS, { alertSettings: { email: 'x' } } as unknown as AccountSettingsUpdate), 'alertSettings.email');
  });

  it('refuses unknown top-level settings', () => {
    rejects(() => applySettingsUpdate(DEFAULT_ACCOUNT_SETTINGS, { password: 'x' } as unknown as AccountSettingsUpdate), 'settings.password');
  });
});

describe('reading stored settings', () => {
  it('keeps well-formed values only', () => {
    assert.deepEqual(readRetention({ keepLast: 3, keepDaily: -1, keepWeekly: 'x', other: 1 }), { keepLast: 3 });
    assert.deepEqual(readRetention(null), {});
    assert.deepEqual(readAlertSettings({ shrinkThreshold: 2, webhookUrl: 'https://h.example.com' }), { webhookUrl: 'https://h.example.com' });
  });
});
