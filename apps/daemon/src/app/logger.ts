import { ConsoleLogger, type ConsoleLoggerOptions, type LogLevel } from '@nestjs/common';
import type { SyncvaultConfig } from '../config/config.js';

/** Never printed, whatever object a log call is handed. */
const REDACTED_KEYS = ['password', 'currentPassword', 'newPassword', 'token', 'authorization', 'cookie', 'set-cookie', 'kB', 'syncKey', 'refreshToken', 'sessionToken', 'masterKey'];

/** Nest's start-up chatter (one line per module and route): only shown when NEST_LOG_LEVEL asks for it. */
const START_UP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

class SyncvaultLogger extends ConsoleLogger {
  constructor(
    options: ConsoleLoggerOptions,
    private readonly quietStartUp: boolean,
  ) {
    super(options);
  }

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    if (this.quietStartUp && typeof context === 'string' && START_UP_CONTEXTS.has(context)) return;
    super.log(message, ...rest);
  }
}

/**
 * The daemon's logger: Nest's ConsoleLogger, one JSON object per line with SYNCVAULT_LOG_FORMAT=json.
 * Debug and verbose (and Nest's start-up lines) appear only when NEST_LOG_LEVEL asks for them.
 */
export function createLogger(config: Pick<SyncvaultConfig, 'logFormat'>, env: Record<string, string | undefined> = process.env): ConsoleLogger {
  const levelsFromEnv = env['NEST_LOG_LEVEL'] !== undefined && env['NEST_LOG_LEVEL'] !== '';
  const levels: LogLevel[] = ['fatal', 'error', 'warn', 'log'];
  return new SyncvaultLogger(
    {
      json: config.logFormat === 'json',
      colors: config.logFormat === 'text' && process.stdout.isTTY === true,
      redact: REDACTED_KEYS,
      ...(!levelsFromEnv && { logLevels: levels }),
    },
    !levelsFromEnv,
  );
}
