/** The dashboard's standalone server (as the Docker image runs it) on a free local port. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { DashboardBuild } from './dashboard-build.js';

export interface RunningDashboard {
  /** e.g. http://127.0.0.1:41234 or http://127.0.0.1:41234/syncvault */
  url: string;
  origin: string;
  output(): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}

export async function startDashboard(build: DashboardBuild, apiUrl: string): Promise<RunningDashboard> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [build.serverJs], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', HOSTNAME: '127.0.0.1', PORT: String(port), SYNCVAULT_API_URL: apiUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = once(child, 'exit');
  const origin = `http://127.0.0.1:${port}`;
  const url = `${origin}${build.basePath}`;

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the dashboard server exited with ${child.exitCode}:\n${output}`);
    const answer = await fetch(`${url}/signin`).then(
      (response) => response.status,
      () => 0,
    );
    if (answer === 200) break;
    if (Date.now() > deadline) throw new Error(`the dashboard server did not answer at ${url}/signin (last status ${answer}):\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return {
    url,
    origin,
    output: () => output,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
