import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  FXA_NAMESPACE,
  deriveTokenCredentials,
  hkdf,
  legacyUsername,
  stretchPassword,
  toHex,
  xorBytes,
} from '@syncvault/sync-crypto';
import type { LegacyDirectory, LegacyUser } from '../contracts.js';
import { newTotpSecret } from './codes.js';

export type VerificationGate = 'email-otp' | 'totp-2fa';

/** Obstacles a login must get past, as Mozilla's server puts them up for suspicious sign-ins. */
export interface AccountGates {
  /** Every login is blocked (errno 125) until it carries a mailed unblock code. */
  unblock?: boolean;
  /** Sessions start unverified and need this confirmation before keys or OAuth tokens. */
  verification?: VerificationGate;
}

/**
 * A Firefox Account as the auth server keeps it: a verifier for authPW, never the password, and
 * kB only wrapped for the client. The plain kB is kept too because the sandbox also plays the
 * user's other Firefox devices, which write encrypted records for this account.
 */
export interface FxaAccount {
  readonly kind: 'fxa';
  /** As spelled when the password was set: it salts the client's password stretching. */
  email: string;
  readonly uid: string;
  authSalt: Buffer;
  verifyHash: Buffer;
  kA: Buffer;
  kB: Buffer;
  wrapKB: Buffer;
  /** ms; moves when kB changes. Reported as keyRotationTimestamp and in X-KeyID. */
  keysChangedAt: number;
  /** ms; the verifier's set-at time, carried in OAuth tokens as fxa-generation. */
  generation: number;
  readonly createdAt: number;
  profileChangedAt: number;
  gates: AccountGates;
  totpSecret?: Buffer;
  /** Mailed unblock codes still redeemable, with their expiry (ms). */
  unblockCodes: Map<string, number>;
  /** The latest mailed unblock code, for the control API to read as a test's inbox. */
  lastUnblockCode?: string;
  /** The latest mailed sign-in confirmation code (email-otp). */
  emailOtpCode?: string;
}

/** A legacy Sync 1.1 account: Basic-auth password plus the Sync Key only the user's devices know. */
export interface LegacyAccount extends LegacyUser {
  readonly kind: 'legacy11';
  readonly email: string;
  syncKey: Buffer;
}

export type Account = FxaAccount | LegacyAccount;

export interface SessionRecord {
  readonly id: string;
  readonly hmacKey: Buffer;
  readonly uid: string;
  verified: boolean;
  /** How the session must (or did) get verified; null for sessions that never needed it. */
  readonly verificationMethod: VerificationGate | null;
  /** Seconds. */
  readonly authAt: number;
  /** The device this session registered (`POST /account/device`); it goes when the session goes. */
  device?: DeviceRecord;
}

export interface DeviceRecord {
  readonly id: string;
  name: string;
  type: string;
  /** ms */
  readonly createdAt: number;
}

export interface KeyFetchRecord {
  readonly id: string;
  readonly hmacKey: Buffer;
  readonly keyRequestKey: Buffer;
  readonly uid: string;
  readonly sessionId: string;
}

export class AccountExistsError extends Error {
  override readonly name = 'AccountExistsError';
}

const UNBLOCK_CODE_LIFETIME_MS = 60 * 60 * 1000;

/**
 * The server's verifier for authPW. The real server runs authPW through scrypt first; that only
 * slows down offline guessing from a stolen database, so a salted HKDF keeps the same shape here.
 */
function verifierFor(authPW: Uint8Array, authSalt: Uint8Array): Buffer {
  return hkdf(authPW, authSalt, `${FXA_NAMESPACE}verifyHash`, 32);
}

export class AccountRegistry implements LegacyDirectory {
  private readonly fxaByLowerEmail = new Map<string, FxaAccount>();
  private readonly fxaByUidMap = new Map<string, FxaAccount>();
  private readonly legacyByUsername = new Map<string, LegacyAccount>();
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly keyFetchTokens = new Map<string, KeyFetchRecord>();
  private readonly revocationListeners: Array<(uid: string) => void> = [];
  private nextStorageUid = 1;

  /** Storage user ids are shared by the tokenserver (1.5) and the legacy directory (1.1), so one sequence serves both. */
  allocateStorageUid(): number {
    return this.nextStorageUid++;
  }

  createFxaAccount(spec: { email: string; password: string; kB?: Buffer; gates?: AccountGates }): FxaAccount {
    if (this.byEmail(spec.email)) throw new AccountExistsError(`an account for ${spec.email} exists`);
    const now = Date.now();
    const account: FxaAccount = {
      kind: 'fxa',
      email: spec.email,
      uid: toHex(randomBytes(16)),
      authSalt: Buffer.alloc(0),
      verifyHash: Buffer.alloc(0),
      kA: randomBytes(32),
      kB: spec.kB ?? randomBytes(32),
      wrapKB: Buffer.alloc(0),
      keysChangedAt: now,
      generation: now,
      createdAt: now,
      profileChangedAt: now,
      gates: { ...spec.gates },
      unblockCodes: new Map(),
      ...(spec.gates?.verification === 'totp-2fa' ? { totpSecret: newTotpSecret() } : {}),
    };
    this.setPassword(account, spec.password);
    this.fxaByLowerEmail.set(spec.email.toLowerCase(), account);
    this.fxaByUidMap.set(account.uid, account);
    return account;
  }

  createLegacyAccount(spec: { email: string; password: string; syncKey?: Buffer }): LegacyAccount {
    if (this.byEmail(spec.email)) throw new AccountExistsError(`an account for ${spec.email} exists`);
    const account: LegacyAccount = {
      kind: 'legacy11',
      email: spec.email,
      username: legacyUsername(spec.email),
      password: spec.password,
      syncKey: spec.syncKey ?? randomBytes(16),
      storageUid: this.allocateStorageUid(),
    };
    this.legacyByUsername.set(account.username, account);
    return account;
  }

  /** Case-insensitive, as the real server looks up accounts by normalized email. */
  fxaByEmail(email: string): FxaAccount | undefined {
    return this.fxaByLowerEmail.get(email.toLowerCase());
  }

  fxaByUid(uid: string): FxaAccount | undefined {
    return this.fxaByUidMap.get(uid);
  }

  legacyByEmail(email: string): LegacyAccount | undefined {
    return this.legacyByUsername.get(legacyUsername(email));
  }

  byEmail(email: string): Account | undefined {
    return this.fxaByEmail(email) ?? this.legacyByEmail(email);
  }

  find(username: string): LegacyUser | undefined {
    return this.legacyByUsername.get(username.toLowerCase());
  }

  list(): Account[] {
    return [...this.fxaByUidMap.values(), ...this.legacyByUsername.values()];
  }

  checkAuthPW(account: FxaAccount, authPW: Uint8Array): boolean {
    const candidate = verifierFor(authPW, account.authSalt);
    return timingSafeEqual(candidate, account.verifyHash);
  }

  /**
   * A password reset as the real server does it: the old kB is unrecoverable, so a new one is
   * chosen, keysChangedAt and generation move forward, and every session and OAuth grant ends.
   */
  resetPassword(account: FxaAccount, password: string, kB: Buffer = randomBytes(32)): void {
    // Strictly later than before even within one millisecond: the tokenserver orders by these.
    const changedAt = Math.max(Date.now(), account.keysChangedAt + 1, account.generation + 1);
    account.kB = kB;
    account.keysChangedAt = changedAt;
    account.generation = changedAt;
    this.setPassword(account, password);
    this.revokeTokens(account.uid);
  }

  /** Called with an account uid whenever its grants must end (password reset). */
  onRevocation(listener: (uid: string) => void): void {
    this.revocationListeners.push(listener);
  }

  issueUnblockCode(account: FxaAccount, code: string): void {
    account.unblockCodes.set(code, Date.now() + UNBLOCK_CODE_LIFETIME_MS);
    account.lastUnblockCode = code;
  }

  /** Single use: a redeemed code is gone. Codes compare case-insensitively, as typed by users. */
  redeemUnblockCode(account: FxaAccount, code: string): boolean {
    const normalized = code.toUpperCase();
    const expiresAt = account.unblockCodes.get(normalized);
    account.unblockCodes.delete(normalized);
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  createSession(account: FxaAccount, verificationMethod: VerificationGate | null): { token: Buffer; session: SessionRecord } {
    const token = randomBytes(32);
    const { tokenId, reqHmacKey } = deriveTokenCredentials(token, 'sessionToken');
    const session: SessionRecord = {
      id: toHex(tokenId),
      hmacKey: reqHmacKey,
      uid: account.uid,
      verified: verificationMethod === null,
      verificationMethod,
      authAt: Math.floor(Date.now() / 1000),
    };
    this.sessions.set(session.id, session);
    return { token, session };
  }

  createKeyFetchToken(session: SessionRecord): Buffer {
    const token = randomBytes(32);
    const { tokenId, reqHmacKey, extra } = deriveTokenCredentials(token, 'keyFetchToken');
    const record: KeyFetchRecord = {
      id: toHex(tokenId),
      hmacKey: reqHmacKey,
      keyRequestKey: extra,
      uid: session.uid,
      sessionId: session.id,
    };
    this.keyFetchTokens.set(record.id, record);
    return token;
  }

  session(id: string): SessionRecord | undefined {
    return this.sessions.get(id);
  }

  sessionsOf(uid: string): SessionRecord[] {
    return [...this.sessions.values()].filter((session) => session.uid === uid);
  }

  keyFetchToken(id: string): KeyFetchRecord | undefined {
    return this.keyFetchTokens.get(id);
  }

  consumeKeyFetchToken(id: string): void {
    this.keyFetchTokens.delete(id);
  }

  destroySession(id: string): void {
    this.sessions.delete(id);
    for (const [keyFetchId, record] of this.keyFetchTokens) {
      if (record.sessionId === id) this.keyFetchTokens.delete(keyFetchId);
    }
  }

  private setPassword(account: FxaAccount, password: string): void {
    // The sandbox stands in for the client here: only authPW and unwrapBkey ever reach the verifier and wrapKB.
    const { authPW, unwrapBKey } = stretchPassword(account.email, password);
    account.authSalt = randomBytes(32);
    account.verifyHash = verifierFor(authPW, account.authSalt);
    account.wrapKB = xorBytes(account.kB, unwrapBKey);
  }

  private revokeTokens(uid: string): void {
    for (const session of this.sessionsOf(uid)) this.destroySession(session.id);
    for (const listener of this.revocationListeners) listener(uid);
  }
}
