import type { Metadata } from 'next';
import { ReconnectAccount } from '../../../../../components/reconnect-account';

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  const { name } = await params;
  return { title: `Reconnect ${decodeURIComponent(name)}` };
}

export default async function Reconnect({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <ReconnectAccount name={decodeURIComponent(name)} />;
}
