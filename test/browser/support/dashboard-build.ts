/**
 * The dashboard's production build, made when missing or older than its sources, so the browser
 * tests run on their own (`npm test` does not build the dashboard; `.ci/run` does, before them).
 * A second build with a base path goes into `.next/basepath` (the distDir next.config.ts takes from
 * SYNCVAULT_DASHBOARD_DIST_DIR; tsconfig.json already lists its types so Next leaves it alone).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/repo.js';

export const DASHBOARD_DIR = join(REPO_ROOT, 'apps', 'dashboard');
const SOURCES = ['app', 'components', 'lib', 'scripts', 'proxy.ts', 'next.config.ts', 'package.json'];
const BASE_PATH_DIST_DIR = '.next/basepath';
const NPM_CLI = process.env['npm_execpath'];

export interface DashboardBuild {
  basePath: string;
  /** The standalone server, ready to run with `node`. */
  serverJs: string;
}

function newestSourceChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestSourceChange(join(path, name))));
}

function builtAt(distDir: string): number {
  const buildId = join(DASHBOARD_DIR, distDir, 'BUILD_ID');
  const staticFiles = join(DASHBOARD_DIR, distDir, 'standalone', 'apps', 'dashboard', distDir, 'static');
  return existsSync(buildId) && existsSync(serverJs(distDir)) && existsSync(staticFiles) ? statSync(buildId).mtimeMs : 0;
}

/** One build at a time across test processes: `next build` of `.next` would wipe `.next/basepath` mid-build. */
function withBuildLock<T>(work: () => T): T {
  const lock = join(tmpdir(), `syncvault-dashboard-build-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12)}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run is older than any build takes.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      execFileSync('sleep', ['1']);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function build(distDir: string, basePath: string): void {
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', SYNCVAULT_BASE_PATH: basePath, SYNCVAULT_DASHBOARD_DIST_DIR: distDir };
  const [command, args] = NPM_CLI !== undefined && NPM_CLI.endsWith('.js') ? [process.execPath, [NPM_CLI]] : ['npm', []];
  try {
    execFileSync(command, [...args, 'run', 'build', '--workspace', '@syncvault/dashboard'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`building the dashboard (base path "${basePath}") failed:\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`, { cause: error });
  }
}

function serverJs(distDir: string): string {
  return join(DASHBOARD_DIR, distDir, 'standalone', 'apps', 'dashboard', 'server.js');
}

/** Builds the dashboard (with `basePath`, '' for none) unless an up-to-date build exists. */
export function ensureDashboardBuild(basePath = ''): DashboardBuild {
  return withBuildLock(() => {
    const sourcesChangedAt = Math.max(...SOURCES.map((source) => newestSourceChange(join(DASHBOARD_DIR, source))));
    // The default build first: building it later would remove the base-path one.
    if (builtAt('.next') <= sourcesChangedAt) build('.next', '');
    if (basePath === '') return { basePath, serverJs: serverJs('.next') };
    if (builtAt(BASE_PATH_DIST_DIR) <= Math.max(sourcesChangedAt, builtAt('.next')) || !builtWithBasePath(basePath)) build(BASE_PATH_DIST_DIR, basePath);
    return { basePath, serverJs: serverJs(BASE_PATH_DIST_DIR) };
  });
}

function builtWithBasePath(basePath: string): boolean {
  const manifest = join(DASHBOARD_DIR, BASE_PATH_DIST_DIR, 'routes-manifest.json');
  if (!existsSync(manifest)) return false;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { basePath?: string }).basePath === basePath;
}
