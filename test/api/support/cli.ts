import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/repo.js';

export const SYNCVAULT_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'syncvault');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a user would have: PATH and HOME, plus exactly the variables given. */
export function cliEnv(variables: Record<string, string>): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', NO_COLOR: '1', ...variables };
}

/** Runs `syncvault ...args` to completion with no terminal. */
export async function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const child = spawn(SYNCVAULT_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Starts a long-running command; `output()` is what it printed so far. */
export function startCli(args: string[], env: Record<string, string>): { child: ChildProcess; output(): { stdout: string; stderr: string } } {
  const child = spawn(SYNCVAULT_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return { child, output: () => ({ stdout, stderr }) };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
