/** How commands talk to the person or script that ran them. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Turns any error into one readable line on stderr and a non-zero exit, never a stack trace. */
export function failWith(error: unknown, exitCode = 1): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`syncvault: ${message}\n`);
  process.exit(exitCode);
}
