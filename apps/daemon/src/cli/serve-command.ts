import { type Command } from 'commander';
import { loadConfig } from '../config/index.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the daemon: HTTP API, BullMQ workers and schedules (configured from the environment; see README)')
    .action(async () => {
      // A bad variable stops here with one line naming it (ConfigError, printed by failWith).
      const config = loadConfig(process.env);
      // Loaded here, not at the top: Nest and its friends take seconds to load, and other commands need none of it.
      const [{ createSyncvaultApp, syncvaultUrl }, { Logger }] = await Promise.all([import('../app/bootstrap.js'), import('@nestjs/common')]);
      const adminPassword = process.env['SYNCVAULT_ADMIN_PASSWORD'];
      const app = await createSyncvaultApp(config, { adminPassword: adminPassword === '' ? undefined : adminPassword });
      // SIGTERM/SIGINT: stop taking requests and jobs, let running ones stop, close Redis and Postgres, exit 0.
      app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
      await app.listen(config.port, config.host);
      const url = syncvaultUrl(app, config);
      const workers = config.workers ? 'workers on' : 'workers off (SYNCVAULT_WORKERS=false)';
      if (config.logFormat === 'json') new Logger('Syncvault').log(`serving at ${url} (API docs: ${url}/api/docs; ${workers})`);
      else process.stdout.write(`Syncvault is serving at ${url} (API docs: ${url}/api/docs; ${workers})\n`);
    });
}
