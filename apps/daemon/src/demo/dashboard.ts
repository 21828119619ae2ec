/**
 * The demo's dashboard: the Next.js standalone server that `npm run build:dashboard` produces, run
 * as a child process pointed at the demo's API. Without a build the demo says how to make one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** From apps/daemon/dist/src/demo/ to apps/dashboard's standalone server. */
export const DASHBOARD_SERVER_JS = fileURLToPath(new URL('../../../../dashboard/.next/standalone/apps/dashboard/server.js', import.meta.url));

const READY_TIMEOUT_MS = 60_000;

export type DemoDashboard = { url: string; close(): Promise<void> } | { missing: string };

async function freePort(host: string): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no free port for the dashboard');
  return address.port;
}

/** Starts the dashboard on `port` (0 = a free one) and waits until its sign-in page answers. */
export async function startDemoDashboard(options: { apiUrl: string; host: string; port: number; signal: AbortSignal }): Promise<DemoDashboard> {
  if (!existsSync(DASHBOARD_SERVER_JS)) return { missing: 'not built: run `npm run build:dashboard`, then `npm start` again' };
  const port = options.port === 0 ? await freePort(options.host) : options.port;
  const child: ChildProcess = spawn(process.execPath, [DASHBOARD_SERVER_JS], {
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', HOSTNAME: options.host, PORT: String(port), SYNCVAULT_API_URL: options.apiUrl },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (errors = (errors + chunk).slice(-2000)));
  const exited = once(child, 'exit');
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) return { missing: `its server stopped at start (exit ${child.exitCode}): ${errors.trim().split('\n').at(-1) ?? ''}` };
    if (options.signal.aborted || Date.now() > deadline) {
      await close();
      return { missing: options.signal.aborted ? 'not started (stopping)' : `no answer at ${url} within ${READY_TIMEOUT_MS / 1000} s` };
    }
    const status = await fetch(`${url}/signin`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return { url, close };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
