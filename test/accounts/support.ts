/**
 * Shared plumbing for the accounts tests: a sandbox over real HTTP with its control API (the
 * user's inbox and authenticator app), a migrated scratch database, and a vault with a random key.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startSandbox, type RunningSandbox } from '@syncvault/sandbox';
import { AccountService, type AccountServiceOptions, type AddAccountStep, type AccountView } from '@syncvault/daemon/accounts';
import { createPrismaClient, type PrismaClient } from '@syncvault/daemon/store';
import { KeyCustody, Vault } from '@syncvault/daemon/vault';
import { createMigratedDatabase, type ScratchDatabase } from '../support/postgres.js';
import { sandboxControl } from '../support/sandbox-control.js';

/** Makes every Retry-After / X-Weave-Backoff wait a thousandth of what the server asked. */
export const FAST_RETRY = { timeScale: 0.001 } as const;

/** What `POST /__sandbox__/accounts` answers. */
export interface SandboxAccount {
  kind: 'fxa' | 'legacy11';
  email: string;
  password: string;
  uid: string;
  kB?: string;
  syncKey?: string;
  username?: string;
  keysChangedAt?: number;
}

export interface AccountCodes {
  unblockCode?: string;
  verificationCode?: string;
  totpCode?: string;
}

export type Gates = { unblock?: boolean; verification?: 'email-otp' | 'totp-2fa' };

/** A few records, so meta/global and crypto/keys exist as after a first sync. */
export const SMALL_SEED = { bookmarks: 3, history: 3 } as const;

let emailCounter = 0;

export function uniqueEmail(label: string): string {
  emailCounter += 1;
  return `${label}-${emailCounter}-${randomBytes(4).toString('hex')}@accounts.test`;
}

let nameCounter = 0;

export function uniqueName(label: string): string {
  nameCounter += 1;
  return `${label}-${nameCounter}`;
}

export class AccountsSandbox {
  private constructor(readonly running: RunningSandbox) {}

  static async start(): Promise<AccountsSandbox> {
    return new AccountsSandbox(await startSandbox({ port: 0 }));
  }

  get urls(): RunningSandbox['urls'] {
    return this.running.urls;
  }

  close(): Promise<void> {
    return this.running.close();
  }

  async control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return sandboxControl<T>(this.urls.control, method, path, body);
  }

  createFxa(options: { gates?: Gates; seed?: 'none' | Record<string, number>; label?: string } = {}): Promise<SandboxAccount> {
    return this.control<SandboxAccount>('POST', '/accounts', {
      kind: 'fxa',
      email: uniqueEmail(options.label ?? 'fxa'),
      password: `pw-${randomBytes(8).toString('hex')}`,
      seed: options.seed ?? SMALL_SEED,
      ...(options.gates !== undefined && { gates: options.gates }),
    });
  }

  createLegacy(options: { seed?: 'none' | Record<string, number>; label?: string } = {}): Promise<SandboxAccount> {
    return this.control<SandboxAccount>('POST', '/accounts', {
      kind: 'legacy11',
      email: uniqueEmail(options.label ?? 'legacy'),
      password: `pw-${randomBytes(8).toString('hex')}`,
      seed: options.seed ?? SMALL_SEED,
    });
  }

  /** The user's inbox and authenticator app. */
  codes(email: string): Promise<AccountCodes> {
    return this.control<AccountCodes>('GET', `/accounts/${encodeURIComponent(email)}/codes`);
  }
}

/** A migrated scratch database, a Prisma client on it, and a vault with a key only this run knows. */
export class AccountsStore {
  readonly vaultKey = randomBytes(32);
  readonly vault = new Vault(this.vaultKey);
  readonly keyCustody: KeyCustody;

  private constructor(
    readonly database: ScratchDatabase,
    readonly prisma: PrismaClient,
  ) {
    this.keyCustody = new KeyCustody(prisma, this.vault);
  }

  static create(): AccountsStore {
    const database = createMigratedDatabase('syncvault_accounts');
    return new AccountsStore(database, createPrismaClient(database.url));
  }

  service(options: Partial<AccountServiceOptions> = {}): AccountService {
    return new AccountService({ prisma: this.prisma, vault: this.vault, keyCustody: this.keyCustody, retry: FAST_RETRY, ...options });
  }

  async close(): Promise<void> {
    await this.prisma.$disconnect();
    this.database.drop();
  }
}

/** The saved account of a finished step. */
export function doneAccount(step: AddAccountStep): AccountView {
  assert.equal(step.status, 'done', `adding finished (got ${step.status})`);
  if (step.status !== 'done') throw new Error('unreachable');
  return step.account;
}

/** A step that waits for the user, of the given status. */
export function pendingStep<S extends Exclude<AddAccountStep['status'], 'done'>>(step: AddAccountStep, status: S): Extract<AddAccountStep, { status: S }> {
  assert.equal(step.status, status);
  return step as Extract<AddAccountStep, { status: S }>;
}

/** Asserts that `work` rejects with an instance of `type` and returns the error. */
export async function rejection<E extends Error>(work: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${type.name}, but it resolved`);
}
