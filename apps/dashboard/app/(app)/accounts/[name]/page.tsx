import type { Metadata } from 'next';
import { AccountPage } from '../../../../components/account-page';

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  const { name } = await params;
  return { title: decodeURIComponent(name) };
}

export default async function Account({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <AccountPage name={decodeURIComponent(name)} />;
}
