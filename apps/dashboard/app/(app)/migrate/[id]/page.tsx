import type { Metadata } from 'next';
import { MigrationPage } from '../../../../components/migration-page';

type Params = Promise<{ id: string }>;

export const metadata: Metadata = { title: 'Migration' };

export default async function Migration({ params }: { params: Params }) {
  const { id } = await params;
  return <MigrationPage id={decodeURIComponent(id)} />;
}
