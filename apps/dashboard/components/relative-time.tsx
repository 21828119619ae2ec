import { formatDateTime, formatRelative } from '../lib/format';

/** "5 minutes ago", with the exact date and time on hover and for assistive technology. */
export function RelativeTime({ iso }: { iso: string }) {
  const exact = formatDateTime(iso);
  return (
    <time dateTime={iso} title={exact}>
      {formatRelative(iso)}
    </time>
  );
}
