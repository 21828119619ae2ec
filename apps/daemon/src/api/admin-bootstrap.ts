import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_OPTIONS, SYNCVAULT_CONFIG } from '../app/tokens.js';
import type { SyncvaultConfig } from '../config/config.js';
import { AuthService } from './auth/auth-service.js';

export interface AdminCredentials {
  username: string;
  password: string;
  /** True when Syncvault made the password up (SYNCVAULT_ADMIN_PASSWORD was not set). */
  generated: boolean;
}

export interface AdminBootstrapOptions {
  /** SYNCVAULT_ADMIN_PASSWORD: the first admin's password. */
  adminPassword?: string | undefined;
  /**
   * Receives a generated admin password instead of it being printed to stdout (the demo shows it
   * in its own banner). Called once, when the admin is created.
   */
  onAdminCreated?: ((admin: AdminCredentials) => void) | undefined;
}

/**
 * First start: creates the admin. A generated password is shown exactly once, on stdout and not
 * through the logger, as an operator message: it is never stored anywhere but as its scrypt hash.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(APP_OPTIONS) private readonly options: AdminBootstrapOptions,
    @Inject(SYNCVAULT_CONFIG) private readonly config: SyncvaultConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const created = await this.auth.ensureAdmin(this.options.adminPassword);
    if (created === null) return;
    if (!created.generated) {
      this.logger.log(`created the admin user "${created.username}" with the password from SYNCVAULT_ADMIN_PASSWORD`);
      this.options.onAdminCreated?.(created);
      return;
    }
    if (this.options.onAdminCreated !== undefined) {
      this.options.onAdminCreated(created);
      return;
    }
    const notice = `created the admin user "${created.username}" with the password ${created.password} (shown only this once; change it with POST /api/auth/password)`;
    process.stdout.write(this.config.logFormat === 'json' ? `${JSON.stringify({ level: 'log', context: 'Auth', message: notice, username: created.username })}\n` : `Syncvault: ${notice}\n`);
  }
}
