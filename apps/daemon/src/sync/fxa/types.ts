/**
 * Data of the interactive login. Pending steps hold derived secrets (authPW, unwrapBkey,
 * tokens) as hex strings so the CLI or HTTP API can keep them between user prompts (in memory
 * or in the vault); never log them or send them to a client.
 */

/** How FxA wants a new session confirmed. */
export type VerificationMethod = 'email' | 'email-otp' | 'email-2fa' | 'totp-2fa' | (string & {});

/** The stretched password, enough to repeat the login (after an unblock code) without the password. */
export interface StretchedLogin {
  /** The email exactly as FxA spells it (case matters for stretching). */
  email: string;
  /** The address the user typed, when FxA corrected its case (sent as `originalLoginEmail`). */
  originalLoginEmail?: string;
  authPW: string;
  unwrapBKey: string;
}

/** A session created by login whose keys have not been fetched yet. */
export interface PendingSession {
  email: string;
  uid: string;
  sessionToken: string;
  /** Single use, short-lived: redeem right after the session is confirmed. */
  keyFetchToken: string;
  unwrapBKey: string;
}

export interface UnblockCodeRequired {
  kind: 'unblock-code-required';
  /** Where FxA mails the code (call `sendUnblockCode` first); `login.email`. */
  email: string;
  verificationMethod?: string;
  verificationReason?: string;
  login: StretchedLogin;
}

export interface VerificationRequired {
  kind: 'verification-required';
  /** `email`: the user clicks a mailed link (poll `checkVerification`); others: submit the code. */
  method: VerificationMethod;
  reason?: string;
  session: PendingSession;
}

/** What a signed-in daemon keeps: enough to sync and to refresh access tokens unattended. */
export interface FxaCredentials {
  email: string;
  uid: string;
  sessionToken: string;
  /** 32 bytes: the Sync root key material. */
  kB: Buffer;
  /** The account's keys-changed-at (ms), from scoped-key-data; first half of X-KeyID. */
  keysChangedAt: number;
  refreshToken: string;
  accessToken: string;
  /** Local clock (ms) at which `accessToken` expires. */
  expiresAt: number;
}

export interface LoginDone {
  kind: 'done';
  session: FxaCredentials;
}

export type LoginStep = LoginDone | UnblockCodeRequired | VerificationRequired;

export interface OAuthToken {
  accessToken: string;
  /** Local clock (ms) at which the access token expires. */
  expiresAt: number;
  /** Only for `access_type: "offline"` grants. */
  refreshToken?: string;
  scope: string;
}

export interface ScopedKeyData {
  /** Keys-changed-at of the account, in ms. */
  keyRotationTimestamp: number;
}
