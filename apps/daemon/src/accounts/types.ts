/** What Syncvault keeps about a Sync account; the secrets part is only ever stored sealed. */

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
