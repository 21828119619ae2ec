import { type Command } from 'commander';
import { StoreChecker } from '../retention/index.js';
import { openCliContext } from './context.js';
import { printJson } from './output.js';

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('verify the store: every referenced blob exists and hashes to its key, snapshot counts match their versions; exit 1 on any problem')
    .option('--json', 'print {healthy, problems: [{kind, message, ...}]}')
    .action(async (options: { json?: boolean }) => {
      const context = await openCliContext();
      const problems = await new StoreChecker(context.prisma).checkStore().finally(() => context.close());
      if (options.json) printJson({ healthy: problems.length === 0, problems });
      else if (problems.length === 0) process.stdout.write('the store is healthy\n');
      else process.stdout.write(`${[`${problems.length} problem(s) found:`, ...problems.map((problem) => `  ${problem.kind}: ${problem.message}`)].join('\n')}\n`);
      if (problems.length > 0) process.exitCode = 1;
    });
}
