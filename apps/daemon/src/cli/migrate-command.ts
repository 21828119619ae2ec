import { Option, type Command } from 'commander';
import type { ClientInstructions, MigrationPlan, MigrationRequest, MigrationResult, MigrationVerification } from '../migrate/types.js';
import { openCliContext } from './context.js';
import { migrationProgressDisplay } from './migrate-progress.js';
import { parseNonNegativeInt } from './options.js';
import { formatBytes, formatTable, printJson } from './output.js';

interface MigrateCommandOptions {
  fromSnapshot?: number;
  dryRun?: boolean;
  replace?: boolean;
  merge?: boolean;
  rekey?: boolean;
  restart?: boolean;
  json?: boolean;
}

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      'copy every record of one account (a fresh backup of it, or one of its snapshots) into a Sync 1.5 account, in batches with a checkpoint after each, then read it all back. ' +
        'Prints the plan first; --dry-run prints only the plan. Run it again after an interruption to resume.',
    )
    .argument('<source-account>', 'account name or id the data comes from (any kind)')
    .argument('<target-account>', 'account name or id the data goes to (mozilla or selfhosted15)')
    .option('--from-snapshot <seq>', 'copy this snapshot of the source instead of taking a fresh backup first', parseNonNegativeInt)
    .option('--dry-run', 'print the plan and write nothing')
    .addOption(new Option('--replace', "wipe the target's storage first (it must be empty otherwise)").conflicts('merge'))
    .addOption(new Option('--merge', "keep the target's records, and those of them newer than the source's").conflicts('replace'))
    .option('--rekey', 'new bulk keys and new syncIDs: every record is re-encrypted and every Firefox resets and merges')
    .option('--restart', 'abandon an unfinished migration of the same two accounts instead of resuming it')
    .option('--json', 'print the plan (--dry-run) or the result as one JSON object')
    .action(async (source: string, target: string, options: MigrateCommandOptions) => {
      const request: MigrationRequest = {
        source,
        target,
        ...(options.fromSnapshot !== undefined && { fromSnapshot: options.fromSnapshot }),
        ...(options.replace === true && { replace: true }),
        ...(options.merge === true && { merge: true }),
        ...(options.rekey === true && { rekey: true }),
        ...(options.restart === true && { restart: true }),
      };
      const context = await openCliContext();
      const interrupt = new AbortController();
      const onSignal = () => interrupt.abort(new Error('interrupted'));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const json = options.json === true;
      // Scripts asking for JSON get no progress lines; a person at a terminal always gets the bar.
      const display = json && process.stderr.isTTY !== true ? { update: () => undefined, stop: () => undefined } : migrationProgressDisplay(process.stderr);
      try {
        const [{ createEngineBindings }, { planBeforeRun }] = await Promise.all([import('../jobs/engine-bindings.js'), import('../jobs/plan-migration.js')]);
        const { migrationPlanner, migrationRunner } = createEngineBindings(context);
        if (options.dryRun === true) {
          const plan = await migrationPlanner.plan(request);
          if (json) printJson(plan);
          else process.stdout.write(`${describePlan(plan, request).join('\n')}\n\n${plan.refusal === null ? 'Nothing was written: run again without --dry-run to migrate.' : 'Nothing was written.'}\n`);
          if (plan.refusal !== null) throw new Error(`refused: ${plan.refusal}`);
          return;
        }
        const plan = await planBeforeRun(migrationPlanner, context.prisma, request);
        if (!json) {
          process.stdout.write(
            plan === null
              ? `${source} has no complete snapshot yet: the migration backs it up first, then plans (and stops if the plan is refused).\n\n`
              : `${describePlan(plan, request).join('\n')}\n\n`,
          );
        }
        if (plan !== null && plan.refusal !== null) throw new Error(`refused: ${plan.refusal}`);
        let result: MigrationResult;
        try {
          result = await migrationRunner.run(request, { onProgress: (progress) => display.update(progress), signal: interrupt.signal });
        } catch (error) {
          display.stop();
          const failed = verificationFailure(error);
          if (failed !== undefined) {
            if (json) printJson(failed);
            else process.stdout.write(`${describeResult(failed).join('\n')}\n`);
            throw error;
          }
          if (interrupt.signal.aborted) throw new Error('interrupted: the migration stopped between two batches and keeps its checkpoint; run the same command again to resume', { cause: error });
          throw error;
        }
        display.stop();
        if (json) printJson(result);
        else process.stdout.write(`${describeResult(result).join('\n')}\n`);
      } finally {
        display.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await context.close();
      }
    });
}

/** The result a MigrationVerificationError carries (by name: the engine may come from another copy of the module). */
function verificationFailure(error: unknown): MigrationResult | undefined {
  if (!(error instanceof Error) || error.name !== 'MigrationVerificationError') return undefined;
  return (error as Error & { result?: MigrationResult }).result;
}

const KEYS_WORDS: Record<MigrationPlan['keys'], string> = {
  copy: 'copied as it is (same account key on both sides)',
  rewrap: "the same bulk keys, re-encrypted with the target's account key",
  rekey: 'new bulk keys (--rekey): every record is re-encrypted',
  'keep-target': "the target's own keys are kept; records are re-encrypted with them where they differ",
};

const META_GLOBAL_WORDS: Record<MigrationPlan['metaGlobal'], string> = {
  copy: 'copied as it is (same syncIDs: connected Firefoxes carry on)',
  convert: 'converted from Sync 1.1 for 1.5',
  'new-sync-ids': 'new syncIDs (--rekey): every Firefox resets and merges',
  'merge-target': "the target's own, with entries added for the engines it lacked",
};

const MODE_WORDS: Record<MigrationPlan['mode'], string> = {
  empty: 'into an empty target',
  replace: "replace: the target's storage is wiped first",
  merge: "merge: the target's records are kept where they are newer",
};

function limitsText(limits: MigrationPlan['target']['limits']): string {
  const entries = Object.entries(limits);
  if (entries.length === 0) return 'none reported';
  return entries.map(([name, value]) => `${name} ${value === null ? 'none' : value}`).join(', ');
}

function holdsText(target: MigrationPlan['target']): string {
  if (target.empty) return 'empty';
  const counts = Object.entries(target.collections).filter(([, count]) => count > 0);
  const records = counts.reduce((sum, [, count]) => sum + count, 0);
  return `holds ${records} record(s): ${counts.map(([name, count]) => `${name} ${count}`).join(', ')}`;
}

/** The plan for a person; `request` says whether the run copies a fresh backup rather than the snapshot planned from. */
export function describePlan(plan: MigrationPlan, request: Pick<MigrationRequest, 'fromSnapshot'>): string[] {
  const { source, target } = plan;
  const planned = source.snapshot === null ? null : `snapshot ${source.snapshot.seq}${source.snapshot.finishedAt === null ? '' : ` of ${source.snapshot.finishedAt}`}`;
  const fresh = request.fromSnapshot === undefined && plan.resumes === null;
  const snapshot = planned === null ? 'a fresh backup of the live account, taken first' : fresh ? `a fresh backup of the live account, taken first (planned from ${planned}, the latest)` : planned;
  const used = formatBytes(Math.round(target.quota.usedKb * 1024));
  const quota = target.quota.quotaKb === null ? `${used} used, no quota` : `${used} used of ${formatBytes(Math.round(target.quota.quotaKb * 1024))}`;
  const lines = [
    `Migrate ${source.name} (${source.kind}) into ${target.name}: ${plan.totals.records} record(s), ${formatBytes(plan.totals.bytes)} in ${plan.totals.batches} batch(es)`,
    `  from        ${snapshot}`,
    `  to          ${target.tokenServerUrl}`,
    `  target now  ${holdsText(target)}; ${quota}`,
    `  limits      ${limitsText(target.limits)}`,
    `  mode        ${MODE_WORDS[plan.mode]}`,
    `  crypto/keys ${KEYS_WORDS[plan.keys]}`,
    `  meta/global ${META_GLOBAL_WORDS[plan.metaGlobal]}`,
    ...(plan.resumes === null ? [] : [`  resumes     ${plan.resumes.done} of ${plan.resumes.total} record(s) already uploaded (--restart starts over)`]),
    '',
  ];
  const rows = [
    ['collection', 'action', 'records', 'bytes', 'on target', 'skipped'],
    ...plan.collections.map((collection) => [
      collection.collection,
      collection.action,
      String(collection.records),
      formatBytes(collection.bytes),
      String(collection.targetRecords),
      [...collection.skipped.map((skip) => `${skip.count} ${skip.reason}`), ...(collection.note === undefined ? [] : [collection.note])].join('; '),
    ]),
  ];
  lines.push(...formatTable(rows, [2, 3, 4]).map((line) => `  ${line}`));
  if (plan.notes.length > 0) lines.push('');
  for (const note of plan.notes) lines.push(`  note: ${note}`);
  if (plan.refusal !== null) lines.push('', `  REFUSED: ${plan.refusal}`);
  return lines;
}

function verificationLines(verification: MigrationVerification): string[] {
  const mismatched = verification.collections.reduce((sum, collection) => sum + collection.mismatches, 0);
  const lines = [
    verification.ok ? 'Verified: the target holds every record as sent.' : `VERIFICATION FAILED: ${mismatched} record(s) on the target differ from the source.`,
    ...formatTable(
      [['collection', 'expected', 'found', 'mismatches'], ...verification.collections.map((collection) => [collection.collection, String(collection.expected), String(collection.found), String(collection.mismatches)])],
      [1, 2, 3],
    ).map((line) => `  ${line}`),
  ];
  for (const mismatch of verification.mismatches) lines.push(`  ${mismatch.problem.padEnd(13)} ${mismatch.collection}/${mismatch.id}`);
  if (verification.mismatches.length < mismatched) lines.push(`  ... and ${mismatched - verification.mismatches.length} more`);
  return lines;
}

export function clientInstructionLines(clients: ClientInstructions): string[] {
  const lines = ['Point Firefox at the new server:', `  token server:    ${clients.tokenServerUri}`];
  if (clients.accountsServerUri !== null) lines.push(`  accounts server: ${clients.accountsServerUri}`);
  for (const [platform, steps] of [
    ['Desktop', clients.desktop],
    ['Android', clients.android],
    ['iOS', clients.ios],
  ] as const) {
    if (steps.length === 0) continue;
    lines.push(`  ${platform}:`, ...steps.map((step, index) => `    ${index + 1}. ${step}`));
  }
  return lines;
}

export function describeResult(result: MigrationResult): string[] {
  const uploaded = Object.values(result.uploaded).reduce((sum, count) => sum + count, 0);
  const snapshot = result.plan.source.snapshot === null ? '' : ` (snapshot ${result.plan.source.snapshot.seq})`;
  const lines = [
    `Migration ${result.migrationId} from ${result.plan.source.name}${snapshot} into ${result.plan.target.name}: ${uploaded} record(s) uploaded${result.resumed ? ' (resumed from its checkpoint)' : ''}.`,
    ...verificationLines(result.verification),
  ];
  if (result.notices.length > 0) lines.push('The target said along the way:', ...result.notices.map((notice) => `  ${notice}`));
  if (result.verification.ok) lines.push('', ...clientInstructionLines(result.clients));
  return lines;
}
