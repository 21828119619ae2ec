import { type Command } from 'commander';
import { findAccountByName } from '../history/index.js';
import { ForgetService, isEmptyPolicy, parseRetentionPolicy, RETENTION_RULES, type ForgetReport, type RemovalSummary, type RetentionPolicy } from '../retention/index.js';
import { openCliContext } from './context.js';
import { parseNonNegativeInt } from './options.js';
import { formatBytes, printJson } from './output.js';

interface ForgetCommandOptions extends RetentionPolicy {
  snapshot?: number;
  dryRun?: boolean;
  json?: boolean;
}

/** `keepDaily` → `keep-daily`, as the flags and the printed policy spell it. */
function flagName(rule: string): string {
  return rule.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

const RULE_HELP: Record<(typeof RETENTION_RULES)[number], string> = {
  keepLast: 'keep the n newest snapshots',
  keepHourly: 'keep the newest snapshot of each of the n newest hours that have one (UTC)',
  keepDaily: 'keep the newest snapshot of each of the n newest days that have one (UTC)',
  keepWeekly: 'keep the newest snapshot of each of the n newest ISO weeks that have one',
  keepMonthly: 'keep the newest snapshot of each of the n newest months that have one (UTC)',
  keepYearly: 'keep the newest snapshot of each of the n newest years that have one (UTC)',
};

export function registerForgetCommand(program: Command): void {
  const command = program
    .command('forget')
    .description(
      'remove snapshots by a retention policy (like restic forget), then the record versions and blobs no remaining snapshot needs; ' +
        "without --keep-* flags the account's stored policy applies",
    )
    .argument('<account>', 'account name');
  for (const rule of RETENTION_RULES) command.option(`--${flagName(rule)} <n>`, RULE_HELP[rule], parseNonNegativeInt);
  command
    .option('--snapshot <seq>', 'remove this one snapshot by hand instead, whatever the policy (pre-restore ones too)', parseNonNegativeInt)
    .option('--dry-run', 'report what would be removed and change nothing')
    .option('--json', 'print the report as one JSON object')
    .action(async (accountName: string, options: ForgetCommandOptions) => {
      const flags: RetentionPolicy = {};
      for (const rule of RETENTION_RULES) if (options[rule] !== undefined) flags[rule] = options[rule];
      if (options.snapshot !== undefined && Object.keys(flags).length > 0) throw new Error('use either --snapshot or --keep-* flags, not both');
      const dryRun = options.dryRun ?? false;
      const context = await openCliContext();
      try {
        const account = await findAccountByName(context.prisma, accountName);
        const service = new ForgetService({ prisma: context.prisma, databaseUrl: context.config.databaseUrl });
        if (options.snapshot !== undefined) {
          const removed = await service.removeSnapshot(account.id, options.snapshot, { dryRun });
          if (options.json) printJson({ accountId: account.id, dryRun, removed });
          else process.stdout.write(`${describeRemoval(removed, dryRun).join('\n')}\n`);
          return;
        }
        const policy = Object.keys(flags).length > 0 ? flags : parseRetentionPolicy(account.retention);
        const report = await service.forget(account.id, policy, { dryRun });
        if (options.json) printJson(report);
        else printReport(report);
      } finally {
        await context.close();
      }
    });
}

function describePolicy(policy: RetentionPolicy): string {
  if (isEmptyPolicy(policy)) return 'no keep rules: every complete snapshot is kept';
  return RETENTION_RULES.filter((rule) => (policy[rule] ?? 0) > 0)
    .map((rule) => `${flagName(rule)} ${policy[rule]}`)
    .join(', ');
}

function when(time: Date): string {
  return time.toISOString().slice(0, 19).replace('T', ' ');
}

function describeRemoval(removed: RemovalSummary, dryRun: boolean): string[] {
  const verb = dryRun ? 'Would remove' : 'Removed';
  const lines = [`${verb} ${removed.snapshots.length} snapshot(s):`];
  for (const snapshot of removed.snapshots) lines.push(`  ${String(snapshot.seq).padStart(5)}  ${when(snapshot.startedAt)}  ${snapshot.status.padEnd(8)}  ${snapshot.reason}`);
  lines.push(`${verb} ${removed.versions} record version(s) and ${removed.blobs} blob(s), ${formatBytes(removed.bytes)}.`);
  return lines;
}

function printReport(report: ForgetReport): void {
  const lines = [`Policy: ${describePolicy(report.policy)}${report.dryRun ? ' (dry run: nothing is changed)' : ''}`];
  lines.push(`Keeping ${report.kept.length} snapshot(s):`);
  for (const snapshot of report.kept) lines.push(`  ${String(snapshot.seq).padStart(5)}  ${when(snapshot.startedAt)}  ${snapshot.reasons.join(', ')}`);
  for (const snapshot of report.running) lines.push(`  ${String(snapshot.seq).padStart(5)}  ${when(snapshot.startedAt)}  running (not touched)`);
  lines.push(...describeRemoval(report.removed, report.dryRun));
  process.stdout.write(`${lines.join('\n')}\n`);
}
