/**
 * The one administrator, their sessions (dashboard cookie) and API tokens (scripts). Secrets are
 * random 32 bytes shown once; the database keeps only their SHA-256.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../store/prisma.js';
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';

export const ADMIN_USERNAME = 'admin';
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
/** lastUsedAt is refreshed at most this often, so reads do not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export type TokenKind = 'session' | 'api';

export interface Principal {
  username: string;
  via: TokenKind;
  tokenId: string;
  tokenName: string | null;
  /** The admin still has a generated password; the dashboard asks for a new one before anything else. */
  mustChangePassword: boolean;
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Wrong username or password (deliberately not saying which). */
export class LoginFailedError extends Error {
  override readonly name = 'LoginFailedError';
  constructor() {
    super('wrong username or password');
  }
}

export class WrongCurrentPasswordError extends Error {
  override readonly name = 'WrongCurrentPasswordError';
  constructor() {
    super('the current password is wrong');
  }
}

export class WeakPasswordInputError extends Error {
  override readonly name = 'WeakPasswordInputError';
  constructor(where: string) {
    super(`${where} must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

export class UnchangedPasswordError extends Error {
  override readonly name = 'UnchangedPasswordError';
  constructor() {
    super('the new password must differ from the current one');
  }
}

export class ApiTokenNotFoundError extends Error {
  override readonly name = 'ApiTokenNotFoundError';
  constructor(id: string) {
    super(`no API token ${id}`);
  }
}

export function hashSecret(secret: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(secret, 'utf8').digest());
}

function newSecret(kind: TokenKind): string {
  // The prefix lets a leaked secret be recognised (and its kind told) by secret scanners and people.
  return `${kind === 'session' ? 'svs' : 'sva'}_${randomBytes(32).toString('base64url')}`;
}

/** A dummy hash so that an unknown username costs the same scrypt time as a wrong password. */
let timingDummy: Promise<string> | undefined;

export class AuthService {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * First start: creates the admin if there is none, with `password` or a generated one. Returns
   * the credentials when it created the admin (so the caller can show a generated password once).
   */
  async ensureAdmin(password: string | undefined): Promise<{ username: string; password: string; generated: boolean } | null> {
    if ((await this.prisma.adminUser.count()) > 0) return null;
    if (password !== undefined && password.length < MIN_PASSWORD_LENGTH) throw new WeakPasswordInputError('SYNCVAULT_ADMIN_PASSWORD');
    const chosen = password ?? generatePassword();
    try {
      await this.prisma.adminUser.create({
        data: { username: ADMIN_USERNAME, passwordHash: await hashPassword(chosen), mustChangePassword: password === undefined },
      });
    } catch (error) {
      // Another daemon process created it at the same moment: theirs stands.
      if ((error as { code?: string }).code === 'P2002') return null;
      throw error;
    }
    return { username: ADMIN_USERNAME, password: chosen, generated: password === undefined };
  }

  /**
   * Checks the password and opens a session; returns its secret (for the cookie), expiry, and
   * whether the password was generated and should be replaced now.
   */
  async login(username: string, password: string): Promise<{ secret: string; expiresAt: Date; mustChangePassword: boolean }> {
    const admin = await this.prisma.adminUser.findUnique({ where: { username } });
    if (admin === null) {
      timingDummy ??= hashPassword(generatePassword());
      await verifyPassword(password, await timingDummy);
      throw new LoginFailedError();
    }
    if (!(await verifyPassword(password, admin.passwordHash))) throw new LoginFailedError();
    const now = Date.now();
    await this.prisma.authToken.deleteMany({ where: { kind: 'session', expiresAt: { lt: new Date(now) } } });
    const secret = newSecret('session');
    const expiresAt = new Date(now + SESSION_TTL_MS);
    await this.prisma.authToken.create({ data: { kind: 'session', tokenHash: hashSecret(secret), expiresAt, lastUsedAt: new Date(now) } });
    return { secret, expiresAt, mustChangePassword: admin.mustChangePassword };
  }

  /** Who a session cookie or bearer token belongs to, or null if it is unknown, expired or of the wrong kind. */
  async authenticate(secret: string, kind: TokenKind): Promise<Principal | null> {
    if (secret === '' || secret.length > 200) return null;
    const token = await this.prisma.authToken.findUnique({ where: { tokenHash: hashSecret(secret) } });
    const now = Date.now();
    if (token === null || token.kind !== kind || (token.expiresAt !== null && token.expiresAt.getTime() <= now)) return null;
    const admin = await this.prisma.adminUser.findFirst({ orderBy: { createdAt: 'asc' }, select: { username: true, mustChangePassword: true } });
    if (admin === null) return null;
    if (token.lastUsedAt === null || now - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.prisma.authToken.updateMany({ where: { id: token.id }, data: { lastUsedAt: new Date(now) } });
    }
    return { username: admin.username, via: kind, tokenId: token.id, tokenName: token.name, mustChangePassword: admin.mustChangePassword };
  }

  async logout(principal: Principal): Promise<void> {
    if (principal.via === 'session') await this.prisma.authToken.deleteMany({ where: { id: principal.tokenId, kind: 'session' } });
  }

  /** A new API token; its secret is returned this once and never stored. */
  async createApiToken(name: string): Promise<ApiTokenInfo & { token: string }> {
    const token = newSecret('api');
    const row = await this.prisma.authToken.create({ data: { kind: 'api', name, tokenHash: hashSecret(token) } });
    return { id: row.id, name, createdAt: row.createdAt, lastUsedAt: null, token };
  }

  async listApiTokens(): Promise<ApiTokenInfo[]> {
    const rows = await this.prisma.authToken.findMany({ where: { kind: 'api' }, orderBy: { createdAt: 'asc' } });
    return rows.map((row) => ({ id: row.id, name: row.name ?? '', createdAt: row.createdAt, lastUsedAt: row.lastUsedAt }));
  }

  async revokeApiToken(id: string): Promise<void> {
    const { count } = await this.prisma.authToken.deleteMany({ where: { id, kind: 'api' } });
    if (count === 0) throw new ApiTokenNotFoundError(id);
  }

  /** Changes the admin password and ends every other session; API tokens stay valid. */
  async changePassword(principal: Principal, currentPassword: string, newPassword: string): Promise<void> {
    if (newPassword.length < MIN_PASSWORD_LENGTH) throw new WeakPasswordInputError('the new password');
    if (newPassword === currentPassword) throw new UnchangedPasswordError();
    const admin = await this.prisma.adminUser.findUnique({ where: { username: principal.username } });
    if (admin === null || !(await verifyPassword(currentPassword, admin.passwordHash))) throw new WrongCurrentPasswordError();
    await this.prisma.$transaction([
      this.prisma.adminUser.update({ where: { id: admin.id }, data: { passwordHash: await hashPassword(newPassword), mustChangePassword: false } }),
      this.prisma.authToken.deleteMany({ where: { kind: 'session', ...(principal.via === 'session' && { id: { not: principal.tokenId } }) } }),
    ]);
  }
}
