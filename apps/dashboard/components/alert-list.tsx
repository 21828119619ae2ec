'use client';

import { useState } from 'react';
import { api, describeError } from '../lib/api';
import type { HealthAlert } from '../lib/types';
import { RelativeTime } from './relative-time';

const KIND_LABELS: Record<string, string> = {
  'collection-shrank': 'Collection shrank',
  'sync-id-changed': 'Sync ID changed',
  'storage-version-changed': 'Storage version changed',
  'engine-declined': 'Engine declined',
  'keys-rotated': 'Keys rotated',
  'client-added': 'New client',
};

function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind.replace(/[-_]/g, ' ');
}

/**
 * Account-health alerts (a collection shrank, keys rotated, a new client, ...). With `account`,
 * open alerts can be acknowledged, one or all; acknowledged ones stay listed, marked as such.
 */
export function AlertList({ alerts, compact = false, account, onAcknowledged }: { alerts: HealthAlert[]; compact?: boolean; account?: string; onAcknowledged?: () => void }) {
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  if (alerts.length === 0) return compact ? null : <p className="muted">No health alert.</p>;
  const open = alerts.filter((alert) => alert.acknowledgedAt === null);

  async function acknowledge(ids: string[] | undefined) {
    if (account === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.acknowledgeAlerts(account, ids);
      onAcknowledged?.();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="alerts">
      {error !== undefined && (
        <p className="banner banner-error" role="alert">
          Could not acknowledge: {error}
        </p>
      )}
      <ul className="alert-list" aria-label="Health alerts">
        {alerts.map((alert) => {
          const acknowledged = alert.acknowledgedAt !== null;
          return (
            <li key={alert.id} className={`alert-item${acknowledged ? ' alert-acknowledged' : ''}`} data-alert-kind={alert.kind}>
              <span className="alert-text">
                <span className="alert-kind">
                  <span aria-hidden="true">{acknowledged ? '✓' : '⚠'}</span> {kindLabel(alert.kind)}
                </span>{' '}
                {alert.message}
                {!compact && (
                  <span className="muted">
                    {' '}
                    · snapshot #{alert.snapshotSeq}, <RelativeTime iso={alert.createdAt} />
                    {acknowledged && ' · acknowledged'}
                  </span>
                )}
              </span>
              {account !== undefined && !acknowledged && (
                <button type="button" className="button button-quiet button-small" disabled={busy} onClick={() => acknowledge([alert.id])} aria-label={`Acknowledge: ${kindLabel(alert.kind)}, ${alert.message}`}>
                  Acknowledge
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {account !== undefined && open.length > 1 && (
        <button type="button" className="button button-secondary button-small alerts-all" disabled={busy} onClick={() => acknowledge(undefined)}>
          Acknowledge all {open.length}
        </button>
      )}
    </div>
  );
}
