// After `next build`: the standalone server serves static files from beside itself, so copy them
// there, as the Docker image does; `node .next/standalone/apps/dashboard/server.js` then just works.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const distDir = process.env.SYNCVAULT_DASHBOARD_DIST_DIR || '.next';
const source = join(distDir, 'static');
const target = join(distDir, 'standalone', 'apps', 'dashboard', distDir, 'static');
if (!existsSync(source)) {
  console.error(`no ${source}: run next build first`);
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
cpSync(source, target, { recursive: true });
