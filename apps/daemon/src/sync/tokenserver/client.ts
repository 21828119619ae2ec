import { HttpTransport, isJsonObject, isSuccess, parseJsonLoose, RetryPolicy } from '../http/index.js';
import { tokenserverErrorFrom, TokenserverProtocolError } from './errors.js';
import type { SyncNodeToken } from './types.js';

const SYNC_TOKEN_PATH = '/1.0/sync/1.5';

export interface TokenserverClientOptions {
  /** Token URL; `/1.0/sync/1.5` is appended when missing (so a bare server URL works too). */
  url: string;
  transport?: Pick<HttpTransport, 'send'>;
  /** Pacing for 503 answers. Default: no automatic retry; TokenserverUnavailableError carries Retry-After. */
  retryPolicy?: RetryPolicy;
}

export interface TokenExchangeRequest {
  /** OAuth access token for the oldsync scope. */
  accessToken: string;
  /** `<keysChangedAt ms>-<b64url(clientState)>`. */
  keyId: string;
  /** Hex of the same client state; optional with OAuth, must agree with `keyId`. */
  clientState?: string;
}

/** Stop using a token this long before the server's end of life: at most 5 min, a tenth of short lifetimes. */
function safetyMarginSeconds(durationSeconds: number): number {
  return Math.min(300, durationSeconds / 10);
}

/** Exchanges an FxA OAuth access token for Hawk credentials on the user's storage node. */
export class TokenserverClient {
  readonly url: string;
  private readonly transport: Pick<HttpTransport, 'send'>;
  private readonly retryPolicy: RetryPolicy;

  constructor(options: TokenserverClientOptions) {
    const base = options.url.trim().replace(/\/+$/, '');
    this.url = base.endsWith(SYNC_TOKEN_PATH) ? base : base + SYNC_TOKEN_PATH;
    this.transport = options.transport ?? new HttpTransport();
    this.retryPolicy = options.retryPolicy ?? new RetryPolicy({ maxAttempts: 1 });
  }

  async exchange(request: TokenExchangeRequest): Promise<SyncNodeToken> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${request.accessToken}`,
      'x-keyid': request.keyId,
    };
    if (request.clientState !== undefined) headers['x-client-state'] = request.clientState;
    // Measured before sending, so the local expiry errs on the early side.
    const requestedAt = Date.now();
    const response = await this.retryPolicy.run(() => this.transport.send({ method: 'GET', url: this.url, headers }));
    const parsed = parseJsonLoose(response.body);
    if (!isSuccess(response)) throw tokenserverErrorFrom(response, parsed);
    return parseToken(parsed, response.status, requestedAt);
  }
}

function parseToken(answer: unknown, httpStatus: number, requestedAt: number): SyncNodeToken {
  // The answer holds the Hawk key: problems are named, never quoted.
  const fail = (what: string): never => {
    throw new TokenserverProtocolError(`The tokenserver's answer ${what}`, { httpStatus });
  };
  if (!isJsonObject(answer)) return fail('is not a JSON object');
  const { id, key, uid, api_endpoint: apiEndpoint, duration, hashalg, hashed_fxa_uid: hashedFxaUid, node_type: nodeType } = answer;
  if (typeof id !== 'string' || id === '') return fail('lacks the Hawk id');
  if (typeof key !== 'string' || key === '') return fail('lacks the Hawk key');
  if (typeof uid !== 'number' || !Number.isSafeInteger(uid)) return fail('lacks a numeric uid');
  if (typeof apiEndpoint !== 'string' || !/^https?:\/\//i.test(apiEndpoint)) return fail('lacks an http(s) api_endpoint');
  if (typeof duration !== 'number' || !(duration > 0)) return fail('lacks a positive duration');
  return {
    id,
    key,
    uid,
    apiEndpoint: apiEndpoint.replace(/\/+$/, ''),
    duration,
    hashalg: typeof hashalg === 'string' ? hashalg : 'sha256',
    ...(typeof hashedFxaUid === 'string' ? { hashedFxaUid } : {}),
    ...(typeof nodeType === 'string' ? { nodeType } : {}),
    expiresAt: requestedAt + (duration - safetyMarginSeconds(duration)) * 1000,
  };
}
