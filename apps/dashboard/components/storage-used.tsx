import { formatBytes, formatCount } from '../lib/format';
import type { StorageUsage } from '../lib/types';

function plural(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/**
 * An account's storage in one line: the distinct payloads it holds, and in how many snapshots and
 * record versions; `detailed` adds what only this account holds when it shares payloads.
 */
export function StorageUsed({ storage, detailed = false }: { storage: StorageUsage; detailed?: boolean }) {
  if (storage.versions === 0 && storage.snapshots === 0) return <span className="muted" data-storage-bytes={0}>Nothing stored yet</span>;
  const shared = storage.bytes - storage.exclusiveBytes;
  return (
    <span className="storage-used" data-storage-bytes={storage.bytes}>
      <strong>{formatBytes(storage.bytes)}</strong>{' '}
      <span className="muted">
        · {plural(storage.snapshots, 'snapshot', 'snapshots')}
        {detailed && <>, {plural(storage.versions, 'record version', 'record versions')}</>}
      </span>
      {detailed && shared > 0 && (
        <span className="storage-line muted">
          {formatBytes(shared)} shared with other accounts; {formatBytes(storage.exclusiveBytes)} this account’s alone
        </span>
      )}
    </span>
  );
}
