import type { FxaClient } from './client.js';

/** Refresh this long before FxA's expiry, so a token never dies in the middle of a request chain. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

export interface CurrentAccessToken {
  accessToken: string;
  /** Local clock (ms). */
  expiresAt: number;
}

/**
 * OAuth access tokens from a refresh token, cached until shortly before they expire. Concurrent
 * callers share one refresh. `get` fits the tokenserver's AccessTokenProvider.
 */
export class RefreshingAccessToken {
  private current: CurrentAccessToken | undefined;
  private inFlight: Promise<CurrentAccessToken> | undefined;

  constructor(
    private readonly fxa: Pick<FxaClient, 'refreshAccessToken'>,
    private readonly refreshToken: string,
    /** A still-valid token, e.g. the one `completeLogin` returned. */
    initial?: CurrentAccessToken,
  ) {
    this.current = initial;
  }

  /** A valid access token; `forceRefresh` skips the cache (a server rejected the cached one). */
  async get(options: { forceRefresh?: boolean } = {}): Promise<string> {
    const current = this.current;
    if (!options.forceRefresh && current !== undefined && Date.now() < current.expiresAt - EXPIRY_MARGIN_MS) {
      return current.accessToken;
    }
    this.inFlight ??= this.fxa.refreshAccessToken(this.refreshToken).finally(() => {
      this.inFlight = undefined;
    });
    const fresh = await this.inFlight;
    this.current = fresh;
    return fresh.accessToken;
  }
}
