import { parseSyncKey } from '@syncvault/sync-crypto';
import { InvalidAccountInputError } from './errors.js';
import { applySettingsUpdate, checkHttpUrl, DEFAULT_ACCOUNT_SETTINGS } from './settings.js';
import {
  ACCOUNT_KINDS,
  MOZILLA_AUTH_SERVER_URL,
  MOZILLA_TOKEN_SERVER_URL,
  type AccountKind,
  type AccountSettings,
  type AddAccountInput,
} from './types.js';

const ACCOUNT_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** Basic auth splits on the first colon, so a 1.1 username cannot hold one. */
const LEGACY_USERNAME = /^[^\s:]{1,100}$/;
const MAX_EMAIL_LENGTH = 254;
const MAX_SECRET_LENGTH = 1024;

export function isAccountId(value: string): boolean {
  return UUID.test(value);
}

/**
 * 1-64 of [A-Za-z0-9._-]. A name shaped like an account id is refused so that `nameOrId` lookups
 * are never ambiguous.
 */
export function checkAccountName(value: unknown): string {
  if (typeof value !== 'string' || !ACCOUNT_NAME.test(value)) {
    throw new InvalidAccountInputError('name', "use 1-64 characters: letters, digits, '.', '_' or '-'");
  }
  if (isAccountId(value)) throw new InvalidAccountInputError('name', 'must not look like an account id (a UUID)');
  return value;
}

/** Everything about a new account except its secrets, checked and tidied. */
export interface NewAccount {
  name: string;
  kind: AccountKind;
  /** Stored in the Account row; FxA may correct its case at sign-in. */
  email: string;
  /** Sync 1.1: what the username is derived from (the username if given, else the email). */
  legacyAccount: string | null;
  fxaUrl: string | null;
  tokenServerUrl: string | null;
  serverUrl: string | null;
  storageUrl: string | null;
  signAsOrigin: string | null;
  settings: AccountSettings;
}

export type NewAccountFields = Omit<AddAccountInput, 'password' | 'syncKey'>;

const INPUT_FIELDS = ['name', 'kind', 'email', 'username', 'password', 'syncKey', 'fxaUrl', 'tokenServerUrl', 'serverUrl', 'storageUrl', 'signAsOrigin', 'settings'];

/** Fields each kind takes besides name, kind, password and settings. */
const FIELDS_OF_KIND: Readonly<Record<AccountKind, readonly string[]>> = {
  mozilla: ['email', 'fxaUrl', 'tokenServerUrl'],
  selfhosted15: ['email', 'fxaUrl', 'tokenServerUrl', 'signAsOrigin'],
  legacy11: ['email', 'username', 'syncKey', 'serverUrl', 'storageUrl'],
};

function optionalUrl(value: unknown, field: string): string | null {
  return value === undefined || value === null ? null : checkHttpUrl(value, field);
}

function origin(value: unknown, field: string): string | null {
  const url = optionalUrl(value, field);
  if (url === null) return null;
  const parsed = new URL(url);
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '') {
    throw new InvalidAccountInputError(field, 'is an origin: scheme, host and port only (e.g. https://sync.example.com:443)');
  }
  return parsed.origin;
}

function fxaEmail(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidAccountInputError('email', 'the account email is required');
  const email = value.trim();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) throw new InvalidAccountInputError('email', 'is not an email address');
  return email;
}

/** Validates the non-secret part of an AddAccountInput; throws InvalidAccountInputError naming the first bad field. */
export function normalizeNewAccount(input: NewAccountFields): NewAccount {
  if (typeof input !== 'object' || input === null) throw new InvalidAccountInputError(undefined, 'the account to add must be an object');
  for (const key of Object.keys(input)) {
    if (!INPUT_FIELDS.includes(key)) throw new InvalidAccountInputError(key, 'unknown field');
  }
  const name = checkAccountName(input.name);
  if (!(ACCOUNT_KINDS as readonly unknown[]).includes(input.kind)) {
    throw new InvalidAccountInputError('kind', `must be one of ${ACCOUNT_KINDS.join(', ')}`);
  }
  const kind = input.kind;
  const fields = input as Record<string, unknown>;
  for (const field of ['email', 'username', 'fxaUrl', 'tokenServerUrl', 'serverUrl', 'storageUrl', 'signAsOrigin']) {
    if (fields[field] !== undefined && fields[field] !== null && !FIELDS_OF_KIND[kind].includes(field)) {
      throw new InvalidAccountInputError(field, `does not apply to a ${kind} account`);
    }
  }
  const settings = input.settings === undefined ? { ...DEFAULT_ACCOUNT_SETTINGS } : applySettingsUpdate(DEFAULT_ACCOUNT_SETTINGS, input.settings);
  const common = { name, kind, settings, serverUrl: null, storageUrl: null, legacyAccount: null, signAsOrigin: null };

  if (kind === 'legacy11') {
    const serverUrl = optionalUrl(input.serverUrl, 'serverUrl');
    if (serverUrl === null) throw new InvalidAccountInputError('serverUrl', 'a legacy11 account needs the Sync 1.1 server URL');
    const email = typeof input.email === 'string' && input.email.trim() !== '' ? input.email.trim() : undefined;
    const username = typeof input.username === 'string' && input.username.trim() !== '' ? input.username.trim() : undefined;
    if (email === undefined && username === undefined) throw new InvalidAccountInputError('email', 'a legacy11 account needs an email or a username');
    if (email !== undefined && (email.length > MAX_EMAIL_LENGTH || /\s/.test(email))) throw new InvalidAccountInputError('email', 'is not an email address or username');
    if (username !== undefined && !LEGACY_USERNAME.test(username)) {
      throw new InvalidAccountInputError('username', 'use 1-100 characters without spaces or colons');
    }
    const legacyAccount = username ?? email ?? '';
    return {
      ...common,
      email: email ?? legacyAccount,
      legacyAccount,
      fxaUrl: null,
      tokenServerUrl: null,
      serverUrl,
      storageUrl: optionalUrl(input.storageUrl, 'storageUrl'),
    };
  }

  const email = fxaEmail(input.email);
  const fxaUrl = optionalUrl(input.fxaUrl, 'fxaUrl');
  const tokenServerUrl = optionalUrl(input.tokenServerUrl, 'tokenServerUrl');
  if (kind === 'mozilla') {
    if (fxaUrl !== null && fxaUrl !== MOZILLA_AUTH_SERVER_URL) {
      throw new InvalidAccountInputError('fxaUrl', "a mozilla account uses Mozilla's servers; for your own servers use kind selfhosted15");
    }
    if (tokenServerUrl !== null && tokenServerUrl !== MOZILLA_TOKEN_SERVER_URL) {
      throw new InvalidAccountInputError('tokenServerUrl', "a mozilla account uses Mozilla's servers; for your own servers use kind selfhosted15");
    }
    return { ...common, email, fxaUrl: MOZILLA_AUTH_SERVER_URL, tokenServerUrl: MOZILLA_TOKEN_SERVER_URL };
  }
  if (fxaUrl === null && tokenServerUrl === null) {
    throw new InvalidAccountInputError('fxaUrl', "a selfhosted15 account needs its accounts server URL, its tokenserver URL or both (for Mozilla's servers use kind mozilla)");
  }
  return {
    ...common,
    email,
    fxaUrl: fxaUrl ?? MOZILLA_AUTH_SERVER_URL,
    tokenServerUrl: tokenServerUrl ?? MOZILLA_TOKEN_SERVER_URL,
    signAsOrigin: origin(input.signAsOrigin, 'signAsOrigin'),
  };
}

export interface NewAccountSecrets {
  password: string;
  /** Sync 1.1 only, as typed (dashes and case as the user likes). */
  syncKey: string | null;
}

function secret(value: unknown, field: string, missing: string): string {
  if (value === undefined || value === null || value === '') throw new InvalidAccountInputError(field, missing);
  if (typeof value !== 'string' || value.length > MAX_SECRET_LENGTH) throw new InvalidAccountInputError(field, 'must be a string of at most 1024 characters');
  return value;
}

/** Checks the secrets an account of this kind needs; messages never repeat them. */
export function checkNewAccountSecrets(kind: AccountKind, input: Pick<AddAccountInput, 'password' | 'syncKey'>): NewAccountSecrets {
  const password = secret(input.password, 'password', 'the account password is required');
  if (kind !== 'legacy11') {
    if (input.syncKey !== undefined && input.syncKey !== null) throw new InvalidAccountInputError('syncKey', `does not apply to a ${kind} account`);
    return { password, syncKey: null };
  }
  const syncKey = secret(input.syncKey, 'syncKey', 'a legacy11 account needs its Sync Key');
  try {
    parseSyncKey(syncKey);
  } catch (error) {
    throw new InvalidAccountInputError('syncKey', error instanceof Error ? error.message : 'is not a Sync Key');
  }
  return { password, syncKey };
}
