import { Command } from 'commander';
import { registerSandboxCommand } from './cli/sandbox-command.js';
import { registerProbeCommand } from './cli/probe-command.js';
import { registerServeCommand } from './cli/serve-command.js';
import { registerBackupCommand } from './cli/backup-command.js';
import { registerAccountCommand } from './cli/account-command.js';
import { registerSnapshotsCommand } from './cli/snapshots-command.js';
import { registerShowCommand } from './cli/show-command.js';
import { registerDiffCommands } from './cli/diff-command.js';
import { registerForgetCommand } from './cli/forget-command.js';
import { registerCheckCommand } from './cli/check-command.js';
import { registerDemoCommand } from './cli/demo-command.js';
import { registerAdminCommand } from './cli/admin-command.js';
import { registerRestoreCommand } from './cli/restore-command.js';
import { registerExportCommand } from './cli/export-command.js';
import { registerMigrateCommand } from './cli/migrate-command.js';
import { failWith } from './cli/output.js';

const program = new Command('syncvault')
  .description('Scheduled, versioned, encrypted backups of Firefox Sync accounts, with diff, restore and migration.')
  .version('0.1.0')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerSandboxCommand(program);
registerProbeCommand(program);
registerServeCommand(program);
registerBackupCommand(program);
registerAccountCommand(program);
registerSnapshotsCommand(program);
registerShowCommand(program);
registerExportCommand(program);
registerDiffCommands(program);
registerForgetCommand(program);
registerRestoreCommand(program);
registerMigrateCommand(program);
registerCheckCommand(program);
registerDemoCommand(program);
registerAdminCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => failWith(error));
