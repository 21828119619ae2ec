/**
 * Measured work runs in child processes (the bench file again, told by an environment variable
 * which input to work on), so that the sandbox's work does not count as the worker's and each
 * worker's peak RSS is its own. A worker prints its result as its last stdout line, in JSON.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Starts `benchFile` (an `import.meta.url`) as a worker on `input` and resolves with its result. */
export function runWorker<Result>(benchFile: string, envName: string, input: { mode: string }): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(benchFile)], { env: { ...process.env, [envName]: JSON.stringify(input) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`bench worker (${input.mode}) exited with ${code}: ${last}`));
      else resolve(JSON.parse(last) as Result);
    });
  });
}

/** The entry point of a bench file: the worker when `envName` carries an input, else the driver. */
export async function workerOrDriver<Input, Result>(envName: string, worker: (input: Input) => Promise<Result>, driver: () => Promise<void>): Promise<void> {
  const input = process.env[envName];
  if (input === undefined) await driver();
  else process.stdout.write(`${JSON.stringify(await worker(JSON.parse(input) as Input))}\n`);
}
