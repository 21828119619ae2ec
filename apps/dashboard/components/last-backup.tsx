import { formatCount, snapshotRecords } from '../lib/format';
import type { AccountSummary } from '../lib/summaries';
import { Badge } from './badge';
import { RelativeTime } from './relative-time';

/** An account's last backup in one line: state, when, how many records; and the last good one after a failure. */
export function LastBackup({ summary }: { summary: AccountSummary }) {
  const { latest, lastComplete } = summary;
  if (latest === null) return <span className="muted">Never backed up</span>;
  return (
    <span className="last-backup">
      {latest.status === 'complete' && <Badge tone="ok">OK</Badge>}
      {latest.status === 'failed' && <Badge tone="failed">Failed</Badge>}
      {latest.status === 'running' && <Badge tone="running">Running</Badge>}{' '}
      <RelativeTime iso={latest.finishedAt ?? latest.startedAt} />
      {latest.status === 'complete' && <> · {formatCount(snapshotRecords(latest))} records</>}
      {latest.status === 'failed' && latest.error !== null && <span className="last-backup-line error-text">{latest.error}</span>}
      {latest.status !== 'complete' && lastComplete !== null && (
        <span className="last-backup-line muted">
          Last good: <RelativeTime iso={lastComplete.finishedAt ?? lastComplete.startedAt} />, {formatCount(snapshotRecords(lastComplete))} records
        </span>
      )}
    </span>
  );
}
