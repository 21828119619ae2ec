'use client';

import Link from 'next/link';
import { kindLabel, scheduleLabel } from '../lib/format';
import { accountSummaries } from '../lib/summaries';
import { useApi } from '../lib/use-api';
import { LastBackup } from './last-backup';
import { Empty, ErrorState, Loading } from './states';
import { StorageUsed } from './storage-used';

export function AccountsPage() {
  const summaries = useApi(accountSummaries, 'summaries', { refreshMs: 30_000 });
  return (
    <div className="page">
      <div className="page-head">
        <h1>Accounts</h1>
        <Link href="/add-account" className="button button-primary">
          Add account
        </Link>
      </div>
      <p className="lede">The Firefox Sync accounts Syncvault backs up.</p>
      {summaries.data === undefined && summaries.error === undefined && <Loading what="accounts" />}
      {summaries.error !== undefined && <ErrorState title="Could not load the accounts." message={summaries.error} onRetry={summaries.reload} />}
      {summaries.data !== undefined && summaries.data.length === 0 && (
        <Empty title="No account yet.">
          <p>
            <Link href="/add-account">Add the first one</Link>: a Mozilla account, your own Sync 1.5 server or a legacy Sync 1.1 server.
          </p>
        </Empty>
      )}
      {summaries.data !== undefined && summaries.data.length > 0 && (
        <div className="table-wrap" role="region" aria-label="Accounts" tabIndex={0}>
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Email or user</th>
                <th scope="col">Last backup</th>
                <th scope="col">Schedule</th>
                <th scope="col">Storage used</th>
              </tr>
            </thead>
            <tbody>
              {summaries.data.map((summary) => (
                <tr key={summary.account.id} data-account={summary.account.name}>
                  <td data-label="Name">
                    <Link href={`/accounts/${encodeURIComponent(summary.account.name)}`}>{summary.account.name}</Link>
                  </td>
                  <td data-label="Kind">{kindLabel(summary.account.kind)}</td>
                  <td data-label="Email or user">{summary.account.email}</td>
                  <td data-label="Last backup">
                    <LastBackup summary={summary} />
                  </td>
                  <td data-label="Schedule">{scheduleLabel(summary.account.schedule)}</td>
                  <td data-label="Storage used" data-storage>
                    <StorageUsed storage={summary.account.storage} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
