/** What Syncvault keeps about a Sync account; the secrets part is only ever stored sealed. */
import type { RetentionPolicy, RetentionRule } from '../retention/policy.js';

export const ACCOUNT_KINDS = ['mozilla', 'selfhosted15', 'legacy11'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export const MOZILLA_AUTH_SERVER_URL = 'https://api.accounts.firefox.com';
export const MOZILLA_TOKEN_SERVER_URL = 'https://token.services.mozilla.com/1.0/sync/1.5';

/**
 * A Firefox Accounts (Sync 1.5) account: what syncing unattended needs. Never the password.
 * kB is hex; keysChangedAt in ms.
 */
export interface FxaAccountSecrets {
  kind: 'fxa';
  uid: string;
  kB: string;
  keysChangedAt: number;
  refreshToken: string;
  sessionToken?: string;
  /** The OAuth client the refresh token was issued to: refresh grants must name the same one. */
  clientId?: string;
}

/** A legacy Sync 1.1 account: Basic-auth password and the Sync Key (friendly base32). */
export interface LegacyAccountSecrets {
  kind: 'legacy11';
  username: string;
  password: string;
  syncKey: string;
}

export type AccountSecrets = FxaAccountSecrets | LegacyAccountSecrets;

/** The vault purpose (associated data) an account's secrets are sealed for. */
export function accountSecretsPurpose(accountId: string): string {
  return `account:${accountId}:secrets`;
}

/**
 * Alert settings as stored and shown; backup/health-alerts.ts parseAlertSettings fills in the
 * defaults. A type, not an interface, so that it is assignable to a JSON column.
 */
export type AccountAlertSettings = {
  /** 0..1; DEFAULT_SHRINK_THRESHOLD (backup) when absent. */
  shrinkThreshold?: number;
  /** http(s) URL that receives each health alert as a JSON POST. */
  webhookUrl?: string;
};

/** An account as the CLI and the HTTP API show it: plain JSON, never a secret. */
export interface AccountView {
  id: string;
  name: string;
  kind: AccountKind;
  /** As the accounts server spells it; for a 1.1 account added by username, that username. */
  email: string;
  fxaUrl: string | null;
  tokenServerUrl: string | null;
  serverUrl: string | null;
  storageUrl: string | null;
  signAsOrigin: string | null;
  /** `every <n><s|m|h|d>` or a cron pattern; null = backups on demand only. */
  schedule: string | null;
  retention: RetentionPolicy;
  alertSettings: AccountAlertSettings;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
}

/**
 * A change to an account's settings, with JSON Merge Patch (RFC 7386) semantics: an absent field
 * stays as it is, `null` clears it (`schedule: null` = on demand, `retention: null` = keep every
 * snapshot, `alertSettings: {webhookUrl: null}` = no webhook), a value replaces it.
 */
export interface AccountSettingsUpdate {
  schedule?: string | null;
  retention?: { [rule in RetentionRule]?: number | null } | null;
  alertSettings?: { shrinkThreshold?: number | null; webhookUrl?: string | null } | null;
}

/** The settings as stored, after validation. */
export interface AccountSettings {
  schedule: string | null;
  retention: RetentionPolicy;
  alertSettings: AccountAlertSettings;
}

/**
 * What adding an account takes. Which fields apply depends on `kind`:
 * - `mozilla`: email, password (Mozilla's servers; other URLs are refused),
 * - `selfhosted15`: email, password, fxaUrl and/or tokenServerUrl (the other one is Mozilla's),
 *   optional signAsOrigin,
 * - `legacy11`: serverUrl, email or username, password, syncKey, optional storageUrl.
 */
export interface AddAccountInput {
  name: string;
  kind: AccountKind;
  email?: string;
  /** Sync 1.1 only: a plain username instead of (or besides) the email. */
  username?: string;
  password: string;
  /** Sync 1.1 only: friendly base32, dashes optional. */
  syncKey?: string;
  fxaUrl?: string;
  tokenServerUrl?: string;
  serverUrl?: string;
  storageUrl?: string;
  /** See Storage15ClientOptions.signAsOrigin (a proxy that rewrites host or port). */
  signAsOrigin?: string;
  /** Settings to start with; the defaults are on-demand backups, keep everything, default alerts. */
  settings?: AccountSettingsUpdate;
}

/** Common to every step that waits for the user. */
interface PendingAddStep {
  /** Opaque; pass it to continueAdd / pollAdd / cancelAdd. */
  loginId: string;
  /** Where the accounts server sent the code or link. */
  email: string;
  /** ISO 8601: after this the login is forgotten and adding starts over. */
  expiresAt: string;
}

/**
 * Where adding an account stands. Every step but `done` carries a `loginId`:
 * - `unblock-code-required`: an unblock code was emailed; `continueAdd(loginId, {code})`,
 * - `verification-code-required`: `method` `totp-2fa` (authenticator app) or `email-otp` /
 *   `email-2fa` (emailed code); `continueAdd(loginId, {code})`,
 * - `email-confirmation-required`: the user clicks an emailed link; `pollAdd(loginId)` until done.
 */
export type AddAccountStep =
  | { status: 'done'; account: AccountView }
  | (PendingAddStep & { status: 'unblock-code-required' })
  | (PendingAddStep & { status: 'verification-code-required'; method: string })
  | (PendingAddStep & { status: 'email-confirmation-required' });
