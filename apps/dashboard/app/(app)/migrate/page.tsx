import type { Metadata } from 'next';
import { MigratePage } from '../../../components/migrate-page';

type Query = Promise<Record<string, string | string[] | undefined>>;

export const metadata: Metadata = { title: 'Migrate' };

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function Migrate({ searchParams }: { searchParams: Query }) {
  const query = await searchParams;
  const source = one(query['source']);
  const target = one(query['target']);
  return <MigratePage {...(source !== undefined && { initialSource: source })} {...(target !== undefined && { initialTarget: target })} />;
}
