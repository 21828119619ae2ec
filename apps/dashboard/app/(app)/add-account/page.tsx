import type { Metadata } from 'next';
import { AddAccountWizard } from '../../../components/add-account-wizard';

export const metadata: Metadata = { title: 'Add an account' };

export default function AddAccount() {
  return <AddAccountWizard />;
}
