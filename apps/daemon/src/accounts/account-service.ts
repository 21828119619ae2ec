import { randomUUID } from 'node:crypto';
import { formatSyncKey, legacyUsername, parseSyncKey, toHex, type KeyBundle } from '@syncvault/sync-crypto';
import { Prisma, type Account } from '../generated/prisma/client.js';
import type { PrismaClient } from '../store/prisma.js';
import {
  AuthenticationError,
  connectFxaAccount,
  connectLegacyAccount,
  fetchCollectionKeys,
  FxaClient,
  FxaServiceUnavailableError,
  HttpTransport,
  InvalidUnblockCodeError,
  InvalidVerificationCodeError,
  NetworkError,
  ThrottledError,
  UnknownUserError,
  type FxaCredentials,
  type LoginStep,
  type StorageClientOptions,
  type SyncConnection,
  type UnblockCodeRequired,
  type VerificationRequired,
} from '../sync/index.js';
import type { KeyCustody, Vault } from '../vault/index.js';
import {
  AccountNameTakenError,
  AccountNotFoundError,
  InvalidAccountInputError,
  LegacyLoginError,
  WrongLoginStepError,
} from './errors.js';
import { checkNewAccountSecrets, isAccountId, normalizeNewAccount, type NewAccount, type NewAccountFields, type NewAccountSecrets } from './input.js';
import { PendingLogins } from './pending-logins.js';
import { applySettingsUpdate, retentionJson } from './settings.js';
import {
  accountSecretsPurpose,
  type AccountSecrets,
  type AccountSettingsUpdate,
  type AccountView,
  type AddAccountInput,
  type AddAccountStep,
  type FxaAccountSecrets,
  type LegacyAccountSecrets,
} from './types.js';
import { settingsOf, toAccountView } from './views.js';

export const DEFAULT_PENDING_LOGIN_TTL_MS = 15 * 60_000;
/** Signing out of a removed account is a courtesy: it must not hold up the removal for long. */
const SIGN_OUT_TIMEOUT_MS = 10_000;

export interface AccountChange {
  type: 'added' | 'updated' | 'removed';
  account: AccountView;
}

export interface AccountServiceOptions {
  prisma: PrismaClient;
  vault: Vault;
  keyCustody: KeyCustody;
  /** Carries the sign-in, the check before saving and the sign-out on removal (tests, proxies). */
  transport?: HttpTransport;
  /** Storage retry pacing for the check before saving. */
  retry?: StorageClientOptions['retry'];
  /** OAuth client for token grants (default: Firefox desktop's); kept with each account's refresh token. */
  clientId?: string;
  /** How long a sign-in waits for the user's next step. */
  pendingLoginTtlMs?: number;
  /** Clock (ms) for sign-in expiry; tests move it. */
  now?: () => number;
  /**
   * Told after each saved change (e.g. to mirror schedules into job schedulers). Awaited: its
   * error reaches the caller, after the change is saved.
   */
  onChange?: (change: AccountChange) => unknown;
}

/** What a connection to a stored account takes besides its credentials. */
export type OpenConnectionOptions = Pick<StorageClientOptions, 'onServerNotice' | 'retry' | 'transport'>;

/** Whom a sign-in is for: a new account, or an existing one signing in again (`existingId`). */
interface SignInTarget {
  account: NewAccount;
  existingId: string | null;
}

/** A sign-in waiting for the user: the FxA client holds what the next step needs (see FxaClient). */
interface PendingAdd {
  target: SignInTarget;
  fxa: FxaClient;
  step: UnblockCodeRequired | VerificationRequired;
}

/** Errors after which the same step can be tried again (another code, later). */
function leavesLoginRetryable(error: unknown): boolean {
  return (
    error instanceof InvalidUnblockCodeError ||
    error instanceof InvalidVerificationCodeError ||
    error instanceof ThrottledError ||
    error instanceof FxaServiceUnavailableError ||
    error instanceof NetworkError
  );
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

function isRecordMissing(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025';
}

function pendingStep(loginId: string, expiresAt: number, step: PendingAdd['step']): AddAccountStep {
  const common = { loginId, expiresAt: new Date(expiresAt).toISOString() };
  if (step.kind === 'unblock-code-required') return { status: 'unblock-code-required', ...common, email: step.email };
  if (step.method === 'email') return { status: 'email-confirmation-required', ...common, email: step.session.email };
  return { status: 'verification-code-required', ...common, email: step.session.email, method: step.method };
}

/**
 * Sync accounts: adding one (a sign-in in explicit steps, so a CLI prompt or an HTTP API can
 * drive it across requests), keeping its secrets sealed in the vault, its settings, and turning
 * a stored account back into a live SyncConnection. Plain class: Nest wires it in api/.
 */
export class AccountService {
  private readonly prisma: PrismaClient;
  private readonly vault: Vault;
  private readonly keyCustody: KeyCustody;
  private readonly transport: HttpTransport | undefined;
  private readonly retry: StorageClientOptions['retry'];
  private readonly clientId: string | undefined;
  private readonly onChange: AccountServiceOptions['onChange'];
  private readonly pending: PendingLogins<PendingAdd>;

  constructor(options: AccountServiceOptions) {
    this.prisma = options.prisma;
    this.vault = options.vault;
    this.keyCustody = options.keyCustody;
    this.transport = options.transport;
    this.retry = options.retry;
    this.clientId = options.clientId;
    this.onChange = options.onChange;
    this.pending = new PendingLogins<PendingAdd>({
      ttlMs: options.pendingLoginTtlMs ?? DEFAULT_PENDING_LOGIN_TTL_MS,
      ...(options.now !== undefined && { now: options.now }),
      onExpire: (login) => this.endPendingSession(login),
    });
  }

  /**
   * Checks everything about a new account but its secrets, and that its name is free: lets a
   * caller report bad input before asking for a password.
   */
  async checkNewAccount(input: NewAccountFields): Promise<NewAccount> {
    const account = normalizeNewAccount(input);
    await this.ensureNameFree(account.name);
    return account;
  }

  /**
   * Signs in and, if the server asks nothing more, checks the account and saves it. Otherwise
   * returns the step the user must complete (continueAdd / pollAdd with its loginId).
   */
  async beginAdd(input: AddAccountInput): Promise<AddAccountStep> {
    const account = normalizeNewAccount(input);
    const secrets = checkNewAccountSecrets(account.kind, input);
    await this.ensureNameFree(account.name);
    return this.signIn({ account, existingId: null }, secrets, this.clientId);
  }

  /**
   * Signs an existing account in again, e.g. after a password change or reset (the tokenserver
   * then refuses the stored keys): the same steps as adding, and on success the account keeps its
   * snapshots and settings, gets the new secrets, and its new root key joins the old ones in key
   * custody. For a 1.1 account the stored Sync Key is kept unless a new one is given.
   */
  async beginReconnect(nameOrId: string, input: { password: string; syncKey?: string }): Promise<AddAccountStep> {
    const row = await this.findRow(nameOrId);
    const stored = this.openSecrets(row);
    const syncKey = input?.syncKey ?? (stored.kind === 'legacy11' ? stored.syncKey : undefined);
    const secrets = checkNewAccountSecrets(row.kind, { password: input?.password, ...(syncKey !== undefined && { syncKey }) });
    const view = toAccountView(row);
    const account: NewAccount = {
      name: view.name,
      kind: view.kind,
      email: view.email,
      legacyAccount: stored.kind === 'legacy11' ? stored.username : null,
      fxaUrl: view.fxaUrl,
      tokenServerUrl: view.tokenServerUrl,
      serverUrl: view.serverUrl,
      storageUrl: view.storageUrl,
      signAsOrigin: view.signAsOrigin,
      settings: settingsOf(view),
    };
    return this.signIn({ account, existingId: row.id }, secrets, stored.kind === 'fxa' ? stored.clientId : undefined);
  }

  /** Submits the unblock or verification code a pending sign-in waits for. A wrong code can be tried again. */
  async continueAdd(loginId: string, input: { code: string }): Promise<AddAccountStep> {
    return this.pending.run(loginId, async (login) => {
      const code = typeof input?.code === 'string' ? input.code.trim() : '';
      if (code === '') throw new InvalidAccountInputError('code', 'the code is required');
      const { fxa, step } = login;
      if (step.kind === 'verification-required' && step.method === 'email') {
        throw new WrongLoginStepError(`this sign-in waits for the link emailed to ${step.session.email}, not a code: confirm it, then poll`);
      }
      let next: LoginStep;
      try {
        next = step.kind === 'unblock-code-required' ? await fxa.submitUnblockCode(step, code) : await fxa.submitVerificationCode(step, code);
      } catch (error) {
        if (!leavesLoginRetryable(error)) await this.abandon(loginId);
        throw error;
      }
      return this.advance(login.target, fxa, next, loginId);
    });
  }

  /** Checks whether an emailed link was clicked (or the session confirmed elsewhere); the same step while not yet. */
  async pollAdd(loginId: string): Promise<AddAccountStep> {
    return this.pending.run(loginId, async (login, expiresAt) => {
      const { fxa, step } = login;
      if (step.kind !== 'verification-required') return pendingStep(loginId, expiresAt, step);
      let next: LoginStep;
      try {
        next = await fxa.checkVerification(step);
      } catch (error) {
        if (!leavesLoginRetryable(error)) await this.abandon(loginId);
        throw error;
      }
      if (next === step) return pendingStep(loginId, expiresAt, step);
      return this.advance(login.target, fxa, next, loginId);
    });
  }

  /** Abandons a pending sign-in and ends its FxA session; false if there was none (already finished or expired). */
  async cancelAdd(loginId: string): Promise<boolean> {
    const login = this.pending.remove(loginId);
    if (login === undefined) return false;
    await this.endPendingSession(login);
    return true;
  }

  async list(): Promise<AccountView[]> {
    const rows = await this.prisma.account.findMany({ orderBy: { name: 'asc' } });
    return rows.map(toAccountView);
  }

  async get(nameOrId: string): Promise<AccountView> {
    return toAccountView(await this.findRow(nameOrId));
  }

  /**
   * Deletes the account with its snapshots, record versions, key bundles and alerts (the database
   * cascades; blobs no one references any more go at the next garbage collection), then signs
   * Syncvault out of the FxA account when it can, so it leaves the user's device list.
   */
  async remove(nameOrId: string): Promise<AccountView> {
    const row = await this.findRow(nameOrId);
    try {
      await this.prisma.account.delete({ where: { id: row.id } });
    } catch (error) {
      if (isRecordMissing(error)) throw new AccountNotFoundError(nameOrId);
      throw error;
    }
    await this.signOutOf(row);
    const account = toAccountView(row);
    await this.onChange?.({ type: 'removed', account });
    return account;
  }

  /** Changes schedule, retention and alert settings (merge-patch semantics, see AccountSettingsUpdate). */
  async updateSettings(nameOrId: string, update: AccountSettingsUpdate): Promise<AccountView> {
    const row = await this.findRow(nameOrId);
    const settings = applySettingsUpdate(settingsOf(toAccountView(row)), update);
    let updated: Account;
    try {
      updated = await this.prisma.account.update({
        where: { id: row.id },
        data: { schedule: settings.schedule, retention: retentionJson(settings.retention), alertSettings: settings.alertSettings },
      });
    } catch (error) {
      if (isRecordMissing(error)) throw new AccountNotFoundError(nameOrId);
      throw error;
    }
    const account = toAccountView(updated);
    await this.onChange?.({ type: 'updated', account });
    return account;
  }

  /** A live connection from the stored secrets: what a backup uses. Nothing is requested until it is used. */
  async openConnection(nameOrId: string, options: OpenConnectionOptions = {}): Promise<SyncConnection> {
    const row = await this.findRow(nameOrId);
    const secrets = this.openSecrets(row);
    if (secrets.kind === 'legacy11') {
      return connectLegacyAccount({
        serverUrl: row.serverUrl ?? '',
        ...(row.storageUrl !== null && { storageUrl: row.storageUrl }),
        account: secrets.username,
        password: secrets.password,
        syncKey: secrets.syncKey,
        ...options,
      });
    }
    return connectFxaAccount({
      authServerUrl: row.fxaUrl ?? '',
      tokenServerUrl: row.tokenServerUrl ?? '',
      ...(secrets.clientId !== undefined && { clientId: secrets.clientId }),
      credentials: { kB: Buffer.from(secrets.kB, 'hex'), keysChangedAt: secrets.keysChangedAt, refreshToken: secrets.refreshToken },
      ...(row.signAsOrigin !== null && { signAsOrigin: row.signAsOrigin }),
      ...options,
    });
  }

  /** Forgets every pending sign-in, ending their FxA sessions (at shutdown). */
  close(): void {
    this.pending.clear();
  }

  private async signIn(target: SignInTarget, secrets: NewAccountSecrets, clientId: string | undefined): Promise<AddAccountStep> {
    if (target.account.kind === 'legacy11') return { status: 'done', account: await this.addLegacy(target, secrets) };
    const fxa = this.fxaClient(target.account.fxaUrl ?? '', clientId ?? this.clientId);
    const step = await fxa.beginLogin(target.account.email, secrets.password);
    return this.advance(target, fxa, step, undefined);
  }

  private async advance(target: SignInTarget, fxa: FxaClient, step: LoginStep, loginId: string | undefined): Promise<AddAccountStep> {
    if (step.kind === 'done') {
      if (loginId !== undefined) this.pending.remove(loginId, { evenIfBusy: true });
      return { status: 'done', account: await this.addFxa(target, fxa, step.session) };
    }
    const login: PendingAdd = { target, fxa, step };
    const { loginId: id, expiresAt } = loginId === undefined ? this.pending.add(login) : this.pending.update(loginId, login);
    // The new step is kept even if mailing its code fails: the old one is used up either way.
    if (step.kind === 'unblock-code-required') {
      try {
        await fxa.sendUnblockCode(step.email);
      } catch (error) {
        if (loginId === undefined) this.pending.remove(id, { evenIfBusy: true });
        throw error;
      }
    }
    return pendingStep(id, expiresAt, step);
  }

  /** Proves the FxA account works (token exchange, crypto/keys decrypt) before anything is saved. */
  private async addFxa(target: SignInTarget, fxa: FxaClient, credentials: FxaCredentials): Promise<AccountView> {
    const { account } = target;
    try {
      const connection = connectFxaAccount({
        authServerUrl: account.fxaUrl ?? '',
        tokenServerUrl: account.tokenServerUrl ?? '',
        clientId: fxa.clientId,
        credentials,
        ...(account.signAsOrigin !== null && { signAsOrigin: account.signAsOrigin }),
        ...this.storageOptions(),
      });
      await fetchCollectionKeys(connection);
      const secrets: FxaAccountSecrets = {
        kind: 'fxa',
        uid: credentials.uid,
        kB: toHex(credentials.kB),
        keysChangedAt: credentials.keysChangedAt,
        refreshToken: credentials.refreshToken,
        sessionToken: credentials.sessionToken,
        clientId: fxa.clientId,
      };
      // FxA's spelling of the email: the one a later sign-in must stretch the password with.
      return await this.save({ ...target, account: { ...account, email: credentials.email } }, secrets, connection.rootBundle);
    } catch (error) {
      await this.signOut(fxa, credentials.refreshToken, credentials.sessionToken);
      throw error;
    }
  }

  /**
   * Proves the password (storage answers) and the Sync Key (crypto/keys decrypts) before saving.
   * An account with no crypto/keys yet (never synced) cannot prove its Sync Key and is saved as is.
   */
  private async addLegacy(target: SignInTarget, secrets: NewAccountSecrets): Promise<AccountView> {
    const { account } = target;
    const legacyAccount = account.legacyAccount ?? account.email;
    const syncKey = secrets.syncKey ?? '';
    const connection = connectLegacyAccount({
      serverUrl: account.serverUrl ?? '',
      ...(account.storageUrl !== null && { storageUrl: account.storageUrl }),
      account: legacyAccount,
      password: secrets.password,
      syncKey,
      ...this.storageOptions(),
    });
    const username = legacyUsername(legacyAccount);
    try {
      await fetchCollectionKeys(connection);
    } catch (error) {
      if (error instanceof AuthenticationError) {
        throw new LegacyLoginError(`the Sync 1.1 server ${account.serverUrl} refused the password of ${legacyAccount} (HTTP ${error.status})`);
      }
      if (error instanceof UnknownUserError) {
        throw new LegacyLoginError(`the Sync 1.1 server ${account.serverUrl} knows no user ${legacyAccount} (username ${username})`);
      }
      throw error;
    }
    const stored: LegacyAccountSecrets = { kind: 'legacy11', username, password: secrets.password, syncKey: formatSyncKey(parseSyncKey(syncKey)) };
    return this.save(target, stored, connection.rootBundle);
  }

  private async save(target: SignInTarget, secrets: AccountSecrets, rootBundle: KeyBundle): Promise<AccountView> {
    if (target.existingId !== null) return this.replaceSecrets(target.existingId, target.account.email, secrets, rootBundle);
    const { account } = target;
    // The id is chosen first because the sealed secrets are bound to it.
    const id = randomUUID();
    const { settings } = account;
    let row: Account;
    try {
      row = await this.prisma.account.create({
        data: {
          id,
          name: account.name,
          kind: account.kind,
          email: account.email,
          fxaUrl: account.fxaUrl,
          tokenServerUrl: account.tokenServerUrl,
          serverUrl: account.serverUrl,
          storageUrl: account.storageUrl,
          signAsOrigin: account.signAsOrigin,
          sealedSecrets: new Uint8Array(this.vault.sealJson(secrets, accountSecretsPurpose(id))),
          schedule: settings.schedule,
          retention: retentionJson(settings.retention),
          alertSettings: settings.alertSettings,
        },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AccountNameTakenError(account.name);
      throw error;
    }
    try {
      await this.keyCustody.keepRootBundle(id, rootBundle);
    } catch (error) {
      await this.prisma.account.delete({ where: { id } }).catch(() => undefined);
      throw error;
    }
    const view = toAccountView(row);
    await this.onChange?.({ type: 'added', account: view });
    return view;
  }

  /** After signing an existing account in again: new secrets, the new root key kept beside the old ones, the old FxA tokens revoked. */
  private async replaceSecrets(id: string, email: string, secrets: AccountSecrets, rootBundle: KeyBundle): Promise<AccountView> {
    const previous = await this.prisma.account.findUnique({ where: { id } });
    if (previous === null) throw new AccountNotFoundError(id);
    await this.keyCustody.keepRootBundle(id, rootBundle);
    let row: Account;
    try {
      row = await this.prisma.account.update({
        where: { id },
        data: { email, sealedSecrets: new Uint8Array(this.vault.sealJson(secrets, accountSecretsPurpose(id))) },
      });
    } catch (error) {
      if (isRecordMissing(error)) throw new AccountNotFoundError(id);
      throw error;
    }
    await this.signOutOf(previous);
    const view = toAccountView(row);
    await this.onChange?.({ type: 'updated', account: view });
    return view;
  }

  private async ensureNameFree(name: string): Promise<void> {
    const existing = await this.prisma.account.findUnique({ where: { name }, select: { id: true } });
    if (existing !== null) throw new AccountNameTakenError(name);
  }

  private async findRow(nameOrId: string): Promise<Account> {
    if (typeof nameOrId !== 'string' || nameOrId === '') throw new AccountNotFoundError(String(nameOrId));
    const row = isAccountId(nameOrId)
      ? await this.prisma.account.findUnique({ where: { id: nameOrId } })
      : await this.prisma.account.findUnique({ where: { name: nameOrId } });
    if (row === null) throw new AccountNotFoundError(nameOrId);
    return row;
  }

  private openSecrets(row: Account): AccountSecrets {
    const secrets = this.vault.openJson<AccountSecrets>(row.sealedSecrets, accountSecretsPurpose(row.id));
    if ((row.kind === 'legacy11') !== (secrets.kind === 'legacy11')) {
      throw new Error(`the stored secrets of account ${row.name} do not match its kind ${row.kind}`);
    }
    return secrets;
  }

  private fxaClient(authServerUrl: string, clientId: string | undefined, transport = this.transport): FxaClient {
    return new FxaClient({
      authServerUrl,
      ...(clientId !== undefined && { clientId }),
      ...(transport !== undefined && { transport }),
    });
  }

  private storageOptions(): Pick<StorageClientOptions, 'transport' | 'retry'> {
    return { ...(this.transport !== undefined && { transport: this.transport }), ...(this.retry !== undefined && { retry: this.retry }) };
  }

  private async abandon(loginId: string): Promise<void> {
    const login = this.pending.remove(loginId, { evenIfBusy: true });
    if (login !== undefined) await this.endPendingSession(login);
  }

  /** A sign-in past its password has a session at the accounts server; end it rather than leave it dangling. */
  private async endPendingSession(login: PendingAdd): Promise<void> {
    if (login.step.kind !== 'verification-required') return;
    await login.fxa.destroySession(login.step.session.sessionToken).catch(() => undefined);
  }

  private async signOut(fxa: FxaClient, refreshToken: string, sessionToken: string | undefined): Promise<void> {
    await fxa.destroyRefreshToken(refreshToken).catch(() => undefined);
    if (sessionToken !== undefined) await fxa.destroySession(sessionToken).catch(() => undefined);
  }

  private async signOutOf(row: Account): Promise<void> {
    if (row.kind === 'legacy11' || row.fxaUrl === null) return;
    let secrets: AccountSecrets;
    try {
      secrets = this.openSecrets(row);
    } catch {
      return;
    }
    if (secrets.kind !== 'fxa') return;
    const transport = this.transport ?? new HttpTransport({ timeoutMs: SIGN_OUT_TIMEOUT_MS });
    await this.signOut(this.fxaClient(row.fxaUrl, secrets.clientId, transport), secrets.refreshToken, secrets.sessionToken);
  }
}
