/** How commands talk to the person or script that ran them. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Rows as aligned columns (two spaces apart); the columns named in `rightAligned` (numbers) are aligned right. */
export function formatTable(rows: string[][], rightAligned: readonly number[] = []): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => (rightAligned.includes(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

const DATABASE_HINTS: Readonly<Record<string, string>> = {
  P1001: 'check DATABASE_URL and that PostgreSQL runs',
  P1003: 'check DATABASE_URL',
  P2021: 'the database has no Syncvault tables yet: run `npm run db:migrate` with this DATABASE_URL',
};

/** Prisma's messages span several lines, the call site first; the last line says what went wrong. */
export function describeDatabaseProblem(error: Error): string {
  const what = error.message.split('\n').map((line) => line.trim()).filter((line) => line !== '').at(-1) ?? error.name;
  const code = (error as { code?: unknown }).code;
  const hint = typeof code === 'string' ? DATABASE_HINTS[code] : undefined;
  return `database: ${what.replace(/\.$/, '')}${hint === undefined ? '' : ` (${hint})`}`;
}

/** Any error as one readable line: database errors are reduced to what went wrong, other multi-line messages joined. */
export function oneLineMessage(error: unknown): string {
  if (error instanceof Error && error.name.startsWith('PrismaClient')) return describeDatabaseProblem(error);
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

/** Turns any error into one readable line on stderr and a non-zero exit, never a stack trace. */
export function failWith(error: unknown, exitCode = 1): never {
  process.stderr.write(`syncvault: ${oneLineMessage(error)}\n`);
  process.exit(exitCode);
}
