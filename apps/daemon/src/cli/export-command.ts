import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { defaultExportFormat, describeExport, EXPORT_FORMATS, SnapshotExporter, type ExportSummary } from '../export/index.js';
import { findAccountByName, SnapshotReader } from '../history/index.js';
import { openCliContext } from './context.js';
import { parseNonNegativeInt } from './options.js';

interface ExportCommandOptions {
  format?: string;
  out?: string;
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('write one collection of a snapshot as a file browsers and password managers import (decrypted: keep it safe)')
    .argument('<account>', 'account name')
    .argument('<seq>', 'snapshot number (see syncvault snapshots)', parseNonNegativeInt)
    .argument('<collection>', 'bookmarks, passwords, history, or any other collection')
    .option(
      '--format <format>',
      `one of ${EXPORT_FORMATS.join(', ')}: bookmarks html (default), json or jsonlz4 (Firefox backup); passwords csv (Firefox, default) or bitwarden-csv; history csv (default) or json; json for any collection; records for the raw decrypted records of bookmarks or history`,
    )
    .option('--out <file>', 'write to this file, readable by you only, instead of standard output')
    .action(async (accountName: string, seq: number, collection: string, options: ExportCommandOptions) => {
      const descriptor = describeExport(collection, options.format ?? defaultExportFormat(collection));
      if (descriptor.binary && options.out === undefined && process.stdout.isTTY) {
        throw new Error(`${descriptor.format} is binary: give --out FILE or redirect standard output to a file`);
      }
      const context = await openCliContext();
      try {
        const account = await findAccountByName(context.prisma, accountName);
        const running = await new SnapshotExporter(new SnapshotReader(context)).start(account.id, seq, collection, descriptor.format);
        if (options.out === undefined) {
          await writeToStdout(running.chunks);
        } else {
          await writePrivateFile(options.out, running.chunks);
          process.stdout.write(`Wrote ${running.summary().written} item(s) of ${collection} from snapshot ${seq} to ${options.out} (${descriptor.label}).\n`);
        }
        reportLeftOut(running.summary());
      } finally {
        await context.close();
      }
    });
}

/**
 * Writes to a new file that only the owner can read, then moves it into place: an export holds
 * decrypted passwords, and a failed export leaves no half-written file behind.
 */
async function writePrivateFile(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
  try {
    await pipeline(Readable.from(chunks), createWriteStream(temporary, { flags: 'wx', mode: 0o600 }));
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Stops quietly when the reader goes away (`| head`). */
async function writeToStdout(chunks: AsyncIterable<Uint8Array>): Promise<void> {
  let failure: NodeJS.ErrnoException | undefined;
  const onError = (error: NodeJS.ErrnoException) => {
    failure = error;
  };
  process.stdout.on('error', onError);
  try {
    for await (const chunk of chunks) {
      if (failure !== undefined) break;
      if (!process.stdout.write(chunk)) await Promise.race([once(process.stdout, 'drain'), once(process.stdout, 'close')]).catch(onError);
    }
  } finally {
    process.stdout.off('error', onError);
  }
  if (failure !== undefined && failure.code !== 'EPIPE') throw failure;
}

function reportLeftOut(summary: ExportSummary): void {
  const lines = [...summary.notes];
  if (summary.skipped > 0) {
    const samples = summary.skippedSamples.map((skipped) => `${skipped.id} (${skipped.reason})`).join('; ');
    lines.push(`${summary.skipped} record(s) left out, e.g. ${samples}`);
  }
  for (const line of lines) process.stderr.write(`syncvault: ${line}\n`);
}
