/** Building the daemon: `syncvault serve`, the demo and the tests all start it through here. */
import fastifyCookie from '@fastify/cookie';
import { Logger, ValidationPipe, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuthService } from '../api/auth/auth-service.js';
import { DomainExceptionFilter } from '../api/errors.js';
import { setupOpenApi } from '../api/openapi.js';
import type { SyncvaultConfig } from '../config/config.js';
import { loadVaultKey, Vault, type LoadedVaultKey } from '../vault/index.js';
import { SyncvaultAppModule, type SyncvaultModuleOptions } from './app.module.js';
import { createLogger } from './logger.js';

export interface SyncvaultAppOptions extends SyncvaultModuleOptions {
  /**
   * Zero-config demo only: when no SYNCVAULT_MASTER_KEY(_FILE) is set, use (or create) the vault
   * key file here, e.g. `demoKeyFile(config)` from cli/context.ts. Without it a missing key stops
   * the start with a message saying how to make one.
   */
  demoKeyFile?: string;
  /** Defaults to the structured ConsoleLogger of createLogger(config); false: silent (tests). */
  logger?: LoggerService | false;
}

/** Request bodies are small JSON documents; anything bigger is a mistake or an attack. */
const BODY_LIMIT_BYTES = 1024 * 1024;

function describeVaultKey(key: LoadedVaultKey): string {
  switch (key.source) {
    case 'environment':
      return 'vault key from SYNCVAULT_MASTER_KEY';
    case 'key-file':
      return `vault key from ${key.path ?? 'SYNCVAULT_MASTER_KEY_FILE'}`;
    case 'demo-key-file':
      return key.created
        ? `created the demo vault key file ${key.path ?? ''}: keep it (and back it up); without it the stored account credentials cannot be opened`
        : `vault key from the demo key file ${key.path ?? ''}`;
  }
}

/**
 * The daemon as a Nest application on Fastify, initialised but not yet listening (call
 * `app.listen(config.port, config.host)`). Throws VaultKeyError when there is no vault key, and
 * whatever stops initialisation (e.g. an unreachable database) instead of exiting.
 */
export async function createSyncvaultApp(config: SyncvaultConfig, options: SyncvaultAppOptions = {}): Promise<NestFastifyApplication> {
  const { demoKeyFile, logger: loggerOption, ...moduleOptions } = options;
  const logger = loggerOption === undefined ? createLogger(config) : loggerOption;
  const key = loadVaultKey({ masterKey: config.masterKey, keyFile: config.masterKeyFile, demoKeyFile });
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // The dashboard and reverse proxies in front name the client (login throttling is per client).
    trustProxy: config.trustedProxies,
  });
  const app = await NestFactory.create<NestFastifyApplication>(SyncvaultAppModule.forRoot(config, new Vault(key.key), moduleOptions), adapter, {
    logger,
    abortOnError: false,
  });
  new Logger('Vault').log(describeVaultKey(key));
  await app.register(fastifyCookie);
  if (config.basePath !== '') app.setGlobalPrefix(config.basePath);
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new DomainExceptionFilter(logger === false ? undefined : logger));
  setupOpenApi(app, app.get(AuthService), config.basePath);
  await app.init();
  return app;
}

/** The URL the API answers at once `app.listen` resolved, with the base path. */
export function syncvaultUrl(app: NestFastifyApplication, config: Pick<SyncvaultConfig, 'host' | 'basePath'>): string {
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}${config.basePath}`;
}
