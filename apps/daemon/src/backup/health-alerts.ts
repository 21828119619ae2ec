import type { MetaGlobalRecord } from '../sync/index.js';
import type { HealthAlertSummary } from './types.js';

/** Share of a collection's records that may disappear between two snapshots without an alert. */
export const DEFAULT_SHRINK_THRESHOLD = 0.2;

/** Account.alertSettings, validated: anything unusable falls back to the default. */
export interface AlertSettings {
  shrinkThreshold: number;
  webhookUrl: string | undefined;
}

export function parseAlertSettings(value: unknown): AlertSettings {
  const fields = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const threshold = fields['shrinkThreshold'];
  const webhookUrl = fields['webhookUrl'];
  return {
    shrinkThreshold: typeof threshold === 'number' && threshold >= 0 && threshold <= 1 ? threshold : DEFAULT_SHRINK_THRESHOLD,
    webhookUrl: typeof webhookUrl === 'string' && /^https?:\/\//i.test(webhookUrl) ? webhookUrl : undefined,
  };
}

/** The parts of a meta/global payload alerts compare; null when it is not a JSON object. */
export function parseMetaGlobal(payload: string): MetaGlobalRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const fields = parsed as Record<string, unknown>;
  const record: MetaGlobalRecord = {};
  if (typeof fields['syncID'] === 'string') record.syncID = fields['syncID'];
  if (typeof fields['storageVersion'] === 'number') record.storageVersion = fields['storageVersion'];
  const engines = fields['engines'];
  if (typeof engines === 'object' && engines !== null && !Array.isArray(engines)) {
    record.engines = {};
    for (const [engine, state] of Object.entries(engines as Record<string, unknown>)) {
      if (typeof state !== 'object' || state === null) continue;
      const { syncID, version } = state as Record<string, unknown>;
      record.engines[engine] = { ...(typeof syncID === 'string' && { syncID }), ...(typeof version === 'number' && { version }) };
    }
  }
  const declined = fields['declined'];
  if (Array.isArray(declined)) record.declined = declined.filter((engine): engine is string => typeof engine === 'string');
  return record;
}

/** What one snapshot showed of the account, as far as health alerts care. */
export interface AccountState {
  seq: number;
  counts: Readonly<Record<string, number>>;
  keyFingerprint: string | null;
  /** Parsed meta/global; null when absent or not JSON. */
  metaGlobal: MetaGlobalRecord | null;
}

/** A client record the new snapshot has and the previous one did not. */
export interface NewClient {
  id: string;
  name?: string;
  type?: string;
}

export interface HealthInputs {
  /** The previous complete snapshot; null for the first backup, which raises nothing. */
  previous: AccountState | null;
  current: AccountState;
  newClients: readonly NewClient[];
  shrinkThreshold: number;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function shrinkAlerts(previous: AccountState, current: AccountState, threshold: number): HealthAlertSummary[] {
  const alerts: HealthAlertSummary[] = [];
  for (const [collection, previousCount] of Object.entries(previous.counts)) {
    if (previousCount <= 0) continue;
    const count = current.counts[collection] ?? 0;
    const lost = (previousCount - count) / previousCount;
    if (lost <= threshold) continue;
    alerts.push({
      kind: 'collection-shrank',
      collection,
      message: `${collection} shrank from ${previousCount} to ${count} records (-${percent(lost)}) since snapshot ${previous.seq}, more than the ${percent(threshold)} alert threshold`,
      details: { previousCount, count, threshold, previousSeq: previous.seq },
    });
  }
  return alerts;
}

function metaGlobalAlerts(previous: MetaGlobalRecord, current: MetaGlobalRecord): HealthAlertSummary[] {
  const alerts: HealthAlertSummary[] = [];
  if (previous.syncID !== current.syncID) {
    alerts.push({
      kind: 'sync-id-changed',
      collection: 'meta',
      message: 'the global syncID in meta/global changed: a client reset Sync or wiped the server, and every device will merge its data again',
      details: { previous: previous.syncID ?? null, current: current.syncID ?? null },
    });
  }
  if (previous.storageVersion !== current.storageVersion) {
    alerts.push({
      kind: 'storage-version-changed',
      collection: 'meta',
      message: `meta/global storageVersion changed from ${previous.storageVersion ?? 'none'} to ${current.storageVersion ?? 'none'}`,
      details: { previous: previous.storageVersion ?? null, current: current.storageVersion ?? null },
    });
  }
  const previousEngines = previous.engines ?? {};
  for (const [engine, state] of Object.entries(current.engines ?? {})) {
    const before = previousEngines[engine];
    if (before === undefined || before.syncID === state.syncID) continue;
    alerts.push({
      kind: 'sync-id-changed',
      collection: engine,
      message: `the ${engine} engine's syncID changed: a client reset its ${engine}, and every device will merge them again`,
      details: { engine, previous: before.syncID ?? null, current: state.syncID ?? null },
    });
  }
  const declinedBefore = new Set(previous.declined ?? []);
  for (const engine of current.declined ?? []) {
    if (declinedBefore.has(engine)) continue;
    alerts.push({
      kind: 'engine-declined',
      collection: engine,
      message: `a client declined the ${engine} engine: devices stop syncing ${engine}, and the server copy is no longer kept up to date`,
      details: { engine },
    });
  }
  return alerts;
}

/** The alerts a completed snapshot raises compared with the previous complete one. */
export function computeHealthAlerts(inputs: HealthInputs): HealthAlertSummary[] {
  const { previous, current } = inputs;
  if (previous === null) return [];
  const alerts = shrinkAlerts(previous, current, inputs.shrinkThreshold);
  if (previous.metaGlobal !== null && current.metaGlobal !== null) alerts.push(...metaGlobalAlerts(previous.metaGlobal, current.metaGlobal));
  if (previous.keyFingerprint !== null && current.keyFingerprint !== null && previous.keyFingerprint !== current.keyFingerprint) {
    alerts.push({
      kind: 'keys-rotated',
      collection: 'crypto',
      message: 'crypto/keys changed: a client uploaded new encryption keys; records written under the old keys are still readable from the backup',
      details: { previousFingerprint: previous.keyFingerprint, fingerprint: current.keyFingerprint },
    });
  }
  for (const client of inputs.newClients) {
    const label = client.name === undefined ? `an unnamed device (${client.id})` : `"${client.name}"`;
    alerts.push({
      kind: 'client-added',
      collection: 'clients',
      message: `a new device appeared in the clients collection: ${label}${client.type === undefined ? '' : ` (${client.type})`}`,
      details: { id: client.id, ...(client.name !== undefined && { name: client.name }), ...(client.type !== undefined && { type: client.type }) },
    });
  }
  return alerts;
}
