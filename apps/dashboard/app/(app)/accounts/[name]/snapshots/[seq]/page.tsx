import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { SnapshotBrowser } from '../../../../../../components/snapshot-browser';

type Params = Promise<{ name: string; seq: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { name, seq } = await params;
  return { title: `Snapshot #${seq} of ${decodeURIComponent(name)}` };
}

export default async function Snapshot({ params }: { params: Params }) {
  const { name, seq } = await params;
  const number = Number(seq);
  if (!Number.isSafeInteger(number) || number < 1) notFound();
  return <SnapshotBrowser account={decodeURIComponent(name)} seq={number} />;
}
