import { CronExpressionParser } from 'cron-parser';
import { InvalidScheduleError, parseSchedule } from '../jobs/schedule.js';
import { InvalidRetentionPolicyError, parseRetentionPolicy, RETENTION_RULES, type RetentionPolicy } from '../retention/policy.js';
import { InvalidAccountInputError } from './errors.js';
import type { AccountAlertSettings, AccountSettings, AccountSettingsUpdate } from './types.js';

/** More often would only load the user's Sync server: Firefox itself syncs every few minutes at most. */
export const MIN_SCHEDULE_INTERVAL_MS = 60_000;
const EVERY = /^every\s+0*(\d+)\s*([smhd])$/i;

/**
 * Checks a schedule as the job schedulers read it (jobs/schedule.ts: `every <n><s|m|h|d>` or a
 * 5/6-field cron pattern or alias), plus what an account may ask of a Sync server: at most one
 * backup a minute. Returns the form to store: `every 6h`, or the pattern with single spaces.
 */
export function normalizeSchedule(text: string): string {
  let parsed: ReturnType<typeof parseSchedule>;
  try {
    parsed = parseSchedule(text);
  } catch (error) {
    if (!(error instanceof InvalidScheduleError)) throw error;
    // Its message starts with `schedule "<text>"`; the field name says that already.
    throw new InvalidAccountInputError('schedule', error.message.replace(/^schedule "[^"]*":? ?/, ''));
  }
  if ('every' in parsed) {
    if (parsed.every < MIN_SCHEDULE_INTERVAL_MS) throw new InvalidAccountInputError('schedule', 'an interval is at least 1 minute, e.g. every 15m');
    const [, count, unit] = EVERY.exec(text.trim()) ?? [];
    return `every ${count ?? ''}${(unit ?? '').toLowerCase()}`;
  }
  // A seconds field with more than one value fires more than once a minute.
  if (CronExpressionParser.parse(parsed.pattern, { tz: 'UTC' }).fields.second.values.length !== 1) {
    throw new InvalidAccountInputError('schedule', 'a cron pattern may fire at most once a minute (one value in the seconds field)');
  }
  return parsed.pattern.split(/\s+/).join(' ');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shrinkThreshold(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidAccountInputError('alertSettings.shrinkThreshold', 'must be a number from 0 to 1 (0.2 = alert when a collection loses more than 20% of its records)');
  }
  return value;
}

/** An http(s) URL without credentials in it; the value is never echoed (it may hold a token). */
export function checkHttpUrl(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidAccountInputError(field, 'must be an http:// or https:// URL');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InvalidAccountInputError(field, 'must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidAccountInputError(field, 'must be an http:// or https:// URL');
  if (url.username !== '' || url.password !== '') throw new InvalidAccountInputError(field, 'must not contain a user name or password');
  return value.trim().replace(/\/+$/, '');
}

function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new InvalidAccountInputError(`${field}.${key}`, `unknown setting; expected one of ${allowed.join(', ')}`);
  }
}

/** Applies a merge-patch update (see AccountSettingsUpdate) to the current settings, validating what it sets. */
export function applySettingsUpdate(current: AccountSettings, update: AccountSettingsUpdate): AccountSettings {
  if (!isPlainObject(update)) throw new InvalidAccountInputError(undefined, 'settings must be an object');
  unknownKeys(update, ['schedule', 'retention', 'alertSettings'], 'settings');
  const next: AccountSettings = { schedule: current.schedule, retention: { ...current.retention }, alertSettings: { ...current.alertSettings } };

  if (update.schedule === null) next.schedule = null;
  else if (update.schedule !== undefined) {
    if (typeof update.schedule !== 'string') throw new InvalidAccountInputError('schedule', 'must be a string such as "every 6h" or "0 3 * * *"');
    next.schedule = normalizeSchedule(update.schedule);
  }

  if (update.retention === null) next.retention = {};
  else if (update.retention !== undefined) {
    if (!isPlainObject(update.retention)) throw new InvalidAccountInputError('retention', `must be an object with ${RETENTION_RULES.join(', ')}`);
    const merged: Record<string, unknown> = { ...next.retention };
    for (const [rule, value] of Object.entries(update.retention)) {
      if (value === null) delete merged[rule];
      else merged[rule] = value;
    }
    // What a valid policy is, retention says (the same check `syncvault forget` and the retention job use).
    try {
      next.retention = parseRetentionPolicy(merged);
    } catch (error) {
      if (error instanceof InvalidRetentionPolicyError) throw new InvalidAccountInputError('retention', error.message);
      throw error;
    }
  }

  if (update.alertSettings === null) next.alertSettings = {};
  else if (update.alertSettings !== undefined) {
    if (!isPlainObject(update.alertSettings)) throw new InvalidAccountInputError('alertSettings', 'must be an object with shrinkThreshold, webhookUrl');
    unknownKeys(update.alertSettings, ['shrinkThreshold', 'webhookUrl'], 'alertSettings');
    const { shrinkThreshold: threshold, webhookUrl } = update.alertSettings;
    if (threshold === null) delete next.alertSettings.shrinkThreshold;
    else if (threshold !== undefined) next.alertSettings.shrinkThreshold = shrinkThreshold(threshold);
    if (webhookUrl === null) delete next.alertSettings.webhookUrl;
    else if (webhookUrl !== undefined) next.alertSettings.webhookUrl = checkHttpUrl(webhookUrl, 'alertSettings.webhookUrl');
  }
  return next;
}

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = Object.freeze({ schedule: null, retention: {}, alertSettings: {} });

/** Reads stored retention JSON, keeping only well-formed rules (the database is trusted, not blindly). */
export function readRetention(json: unknown): RetentionPolicy {
  const policy: RetentionPolicy = {};
  if (!isPlainObject(json)) return policy;
  for (const rule of RETENTION_RULES) {
    const value = json[rule];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) policy[rule] = value;
  }
  return policy;
}

/** A policy as a JSON column takes it (an interface has no index signature). */
export function retentionJson(policy: RetentionPolicy): Record<string, number> {
  const json: Record<string, number> = {};
  for (const rule of RETENTION_RULES) {
    const count = policy[rule];
    if (count !== undefined) json[rule] = count;
  }
  return json;
}

export function readAlertSettings(json: unknown): AccountAlertSettings {
  const settings: AccountAlertSettings = {};
  if (!isPlainObject(json)) return settings;
  const { shrinkThreshold: threshold, webhookUrl } = json;
  if (typeof threshold === 'number' && threshold >= 0 && threshold <= 1) settings.shrinkThreshold = threshold;
  if (typeof webhookUrl === 'string') settings.webhookUrl = webhookUrl;
  return settings;
}
