import type { Metadata } from 'next';
import { HistoryPage } from '../../../../../components/history-page';
import { parseHistoryQuery } from '../../../../../lib/history';

type Params = Promise<{ name: string }>;
type Query = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { name } = await params;
  return { title: `History of ${decodeURIComponent(name)}` };
}

export default async function History({ params, searchParams }: { params: Params; searchParams: Query }) {
  const account = decodeURIComponent((await params).name);
  return <HistoryPage account={account} query={parseHistoryQuery(await searchParams)} />;
}
