import { formatDateTime, formatRelative } from '../lib/format';

/** When the schedule next backs the account up: the date and time, and how soon. */
export function NextRun({ iso, schedule }: { iso: string | null; schedule: string | null }) {
  if (iso === null) return <span className="muted">{schedule === null ? 'None (on demand only)' : 'Not known (is Redis up?)'}</span>;
  return (
    <time dateTime={iso} title={iso}>
      {formatDateTime(iso)} <span className="muted">({formatRelative(iso)})</span>
    </time>
  );
}
