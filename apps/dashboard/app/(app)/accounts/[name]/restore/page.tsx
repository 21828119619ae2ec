import type { Metadata } from 'next';
import Link from 'next/link';
import { RestorePage } from '../../../../../components/restore-page';
import { ErrorState } from '../../../../../components/states';
import { parseRestoreQuery } from '../../../../../lib/restore';

type Params = Promise<{ name: string }>;
type Query = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { name } = await params;
  return { title: `Restore into ${decodeURIComponent(name)}` };
}

export default async function Restore({ params, searchParams }: { params: Params; searchParams: Query }) {
  const account = decodeURIComponent((await params).name);
  const parsed = parseRestoreQuery(await searchParams);
  if ('problem' in parsed) {
    return (
      <div className="page">
        <h1>Restore</h1>
        <ErrorState title="Nothing to restore." message={parsed.problem} />
        <p>
          Pick what to restore from a snapshot of <Link href={`/accounts/${encodeURIComponent(account)}`}>{account}</Link>, or from what changed between two snapshots.
        </p>
      </div>
    );
  }
  return <RestorePage key={JSON.stringify(parsed.request)} account={account} request={parsed.request} label={parsed.label} />;
}
