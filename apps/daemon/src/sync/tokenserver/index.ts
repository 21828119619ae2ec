export type { SyncNodeToken, TokenSource } from './types.js';
export { TokenserverClient, type TokenExchangeRequest, type TokenserverClientOptions } from './client.js';
export { FxaTokenSource, type AccessTokenProvider, type FxaTokenSourceOptions } from './token-source.js';
export {
  InvalidClientStateError,
  InvalidCredentialsError,
  InvalidGenerationError,
  InvalidKeysChangedAtError,
  NewUsersDisabledError,
  TokenserverError,
  TokenserverProtocolError,
  TokenserverUnavailableError,
} from './errors.js';
