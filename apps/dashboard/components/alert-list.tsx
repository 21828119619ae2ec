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

/** Account-health alerts (a collection shrank, keys rotated, a new client, ...). */
export function AlertList({ alerts, compact = false }: { alerts: HealthAlert[]; compact?: boolean }) {
  if (alerts.length === 0) return compact ? null : <p className="muted">No health alert.</p>;
  return (
    <ul className="alert-list" aria-label="Health alerts">
      {alerts.map((alert) => (
        <li key={alert.id} className="alert-item">
          <span className="alert-kind">⚠ {kindLabel(alert.kind)}</span> {alert.message}
          {!compact && (
            <span className="muted">
              {' '}
              · snapshot #{alert.snapshotSeq}, <RelativeTime iso={alert.createdAt} />
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
