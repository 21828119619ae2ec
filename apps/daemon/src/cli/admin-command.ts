import { type Command } from 'commander';
import { ADMIN_USERNAME } from '../api/auth/auth-service.js';
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from '../api/auth/passwords.js';
import { loadConfig } from '../config/index.js';
import { createPrismaClient, type PrismaClient } from '../store/prisma.js';
import { printJson } from './output.js';

/**
 * For a lost admin password: sets a new one (creating the admin if there is none) and ends every
 * session. API tokens stay valid: losing a password is not a leak, and scripts keep working.
 */
async function resetAdminPassword(prisma: PrismaClient, password: string, generated: boolean): Promise<string> {
  const passwordHash = await hashPassword(password);
  // A generated password was printed on a terminal: the dashboard asks for a new one at sign-in.
  const mustChangePassword = generated;
  return prisma.$transaction(async (tx) => {
    const admin = await tx.adminUser.findFirst({ orderBy: { createdAt: 'asc' } });
    const row =
      admin === null
        ? await tx.adminUser.create({ data: { username: ADMIN_USERNAME, passwordHash, mustChangePassword } })
        : await tx.adminUser.update({ where: { id: admin.id }, data: { passwordHash, mustChangePassword } });
    await tx.authToken.deleteMany({ where: { kind: 'session' } });
    return row.username;
  });
}

export function registerAdminCommand(program: Command): void {
  const admin = program
    .command('admin')
    .description('the admin user who signs in to the API and the dashboard')
    .showHelpAfterError(false);

  admin
    .command('reset-password')
    .description('give the admin a new password (generated and printed once, unless --password) and sign out every session; API tokens stay valid')
    .option('--password <password>', `the new password, at least ${MIN_PASSWORD_LENGTH} characters (default: a generated one)`)
    .option('--json', 'print {"username", "password"} (the password only when generated)')
    .action(async (options: { password?: string; json?: boolean }) => {
      if (options.password !== undefined && options.password.length < MIN_PASSWORD_LENGTH) {
        throw new Error(`--password must be at least ${MIN_PASSWORD_LENGTH} characters`);
      }
      const config = loadConfig(process.env);
      const generated = options.password === undefined;
      const password = options.password ?? generatePassword();
      const prisma = createPrismaClient(config.databaseUrl);
      let username: string;
      try {
        username = await resetAdminPassword(prisma, password, generated);
      } finally {
        await prisma.$disconnect();
      }
      if (options.json) {
        printJson({ username, ...(generated && { password }) });
        return;
      }
      process.stdout.write(
        generated
          ? `The admin user "${username}" now has the password ${password} (shown only this once; the dashboard asks you to choose your own at the next sign-in). Every session was signed out; API tokens stay valid.\n`
          : `The admin user "${username}" now has the password you gave. Every session was signed out; API tokens stay valid.\n`,
      );
    });
}
