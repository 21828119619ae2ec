export {
  DEFAULT_AUTH_SERVER_URL,
  FIREFOX_DESKTOP_CLIENT_ID,
  FxaClient,
  OLDSYNC_SCOPE,
  type FxaClientOptions,
} from './client.js';
export {
  BotChallengeError,
  FxaErrno,
  FxaError,
  FxaProtocolError,
  FxaServiceUnavailableError,
  IncorrectEmailCaseError,
  IncorrectPasswordError,
  InvalidUnblockCodeError,
  InvalidVerificationCodeError,
  RequestBlockedError,
  ThrottledError,
  UnknownAccountError,
  UnverifiedSessionError,
} from './errors.js';
export type {
  FxaCredentials,
  LoginDone,
  LoginStep,
  OAuthToken,
  PendingSession,
  ScopedKeyData,
  StretchedLogin,
  UnblockCodeRequired,
  VerificationMethod,
  VerificationRequired,
} from './types.js';
export { RefreshingAccessToken, type CurrentAccessToken } from './access-token.js';
