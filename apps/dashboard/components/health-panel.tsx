'use client';

import { api } from '../lib/api';
import { useApi } from '../lib/use-api';
import type { HealthCheck } from '../lib/types';
import { Badge } from './badge';
import { ErrorState, Loading } from './states';

const CHECKS = [
  ['database', 'PostgreSQL'],
  ['redis', 'Redis'],
  ['workers', 'Workers'],
] as const;

function CheckRow({ label, check }: { label: string; check: HealthCheck }) {
  return (
    <li className="health-check">
      <span className="health-name">{label}</span>
      <Badge tone={check.status === 'ok' ? 'ok' : 'failed'}>{check.status === 'ok' ? 'OK' : 'Failed'}</Badge>
      {check.message !== undefined && <span className={check.status === 'ok' ? 'muted' : 'error-text'}>{check.message}</span>}
    </li>
  );
}

/** The daemon's /health: PostgreSQL, Redis and the backup workers, refreshed every 15 s. */
export function HealthPanel() {
  const health = useApi(api.health, 'health', { refreshMs: 15_000 });
  return (
    <section className="panel" aria-labelledby="health-title">
      <h2 id="health-title">System health</h2>
      {health.data === undefined && health.error === undefined && <Loading what="health checks" />}
      {health.data === undefined && health.error !== undefined && <ErrorState title="The daemon does not answer." message={health.error} onRetry={health.reload} />}
      {health.data !== undefined && (
        <ul className="health-list">
          {CHECKS.map(([key, label]) => (
            <CheckRow key={key} label={label} check={health.data!.checks[key]} />
          ))}
        </ul>
      )}
    </section>
  );
}
