import { Command } from 'commander';
import { registerSandboxCommand } from './cli/sandbox-command.js';
import { registerProbeCommand } from './cli/probe-command.js';
import { failWith } from './cli/output.js';

const program = new Command('syncvault')
  .description('Scheduled, versioned, encrypted backups of Firefox Sync accounts, with diff, restore and migration.')
  .version('0.1.0')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerSandboxCommand(program);
registerProbeCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => failWith(error));
