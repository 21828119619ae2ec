import { clientStateFromKb, keyIdFromKb, toHex } from '@syncvault/sync-crypto';
import type { TokenExchangeRequest, TokenserverClient } from './client.js';
import { InvalidCredentialsError } from './errors.js';
import type { SyncNodeToken, TokenSource } from './types.js';

/**
 * Supplies OAuth access tokens for the oldsync scope, cached by the provider; `forceRefresh`
 * asks for a new one because the tokenserver rejected the last.
 */
export type AccessTokenProvider = (options: { forceRefresh: boolean }) => Promise<string>;

export interface FxaTokenSourceOptions {
  tokenserver: Pick<TokenserverClient, 'exchange'>;
  accessToken: AccessTokenProvider;
  kB: Uint8Array;
  /** The account's keys-changed-at in ms (FxA scoped-key-data `keyRotationTimestamp`). */
  keysChangedAt: number;
}

/**
 * Storage tokens for an FxA account: exchanged at the tokenserver with X-KeyID (and the
 * matching X-Client-State), cached until shortly before they expire. When the tokenserver
 * rejects the access token, the access token is refreshed once and the exchange retried.
 */
export class FxaTokenSource implements TokenSource {
  private readonly tokenserver: Pick<TokenserverClient, 'exchange'>;
  private readonly accessToken: AccessTokenProvider;
  private readonly keyHeaders: Omit<TokenExchangeRequest, 'accessToken'>;
  private cached: SyncNodeToken | undefined;
  private inFlight: Promise<SyncNodeToken> | undefined;
  /** Bumped by invalidate(), so an exchange started before it does not refill the cache. */
  private generation = 0;

  constructor(options: FxaTokenSourceOptions) {
    this.tokenserver = options.tokenserver;
    this.accessToken = options.accessToken;
    this.keyHeaders = {
      keyId: keyIdFromKb(options.kB, options.keysChangedAt),
      clientState: toHex(clientStateFromKb(options.kB)),
    };
  }

  getToken(): Promise<SyncNodeToken> {
    if (this.cached !== undefined && Date.now() < this.cached.expiresAt) return Promise.resolve(this.cached);
    if (this.inFlight === undefined) {
      const generation = this.generation;
      const exchange = this.exchange().then((token) => {
        if (generation === this.generation) this.cached = token;
        return token;
      });
      this.inFlight = exchange;
      const clear = (): void => {
        if (this.inFlight === exchange) this.inFlight = undefined;
      };
      exchange.then(clear, clear);
    }
    return this.inFlight;
  }

  /** Drops the cached token (the storage node answered 401): the next getToken() exchanges anew. */
  invalidate(): void {
    this.generation++;
    this.cached = undefined;
    this.inFlight = undefined;
  }

  private async exchange(): Promise<SyncNodeToken> {
    try {
      return await this.tokenserver.exchange({ ...this.keyHeaders, accessToken: await this.accessToken({ forceRefresh: false }) });
    } catch (error) {
      if (!(error instanceof InvalidCredentialsError)) throw error;
      return this.tokenserver.exchange({ ...this.keyHeaders, accessToken: await this.accessToken({ forceRefresh: true }) });
    }
  }
}
