import { AccountNotFoundError } from '../accounts/errors.js';
import type { PrismaClient } from '../store/index.js';

export interface AccountRef {
  id: string;
  name: string;
  /** Account.retention as stored: validate with parseRetentionPolicy before use. */
  retention: unknown;
}

/**
 * The account commands name on the command line. Stands in until the accounts module offers a
 * lookup by name; swap this one function for it then.
 */
export async function findAccountByName(prisma: PrismaClient, name: string): Promise<AccountRef> {
  const account = await prisma.account.findUnique({ where: { name }, select: { id: true, name: true, retention: true } });
  if (account === null) throw new AccountNotFoundError(name);
  return account;
}
