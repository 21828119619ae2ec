import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Repository root, from test/dist/support/ at run time. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const SYNCVAULT_CLI = join(REPO_ROOT, 'apps', 'daemon', 'dist', 'src', 'cli.js');
export const PRISMA_SCRIPT = join(REPO_ROOT, 'scripts', 'prisma.mjs');
