import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { toBase64Url, toHex } from '@syncvault/sync-crypto';
import type { AccountRegistry } from './registry.js';

/** The scope whose grants open Sync: the tokenserver only accepts access tokens carrying it. */
export const OLDSYNC_SCOPE = 'https://identity.mozilla.com/apps/oldsync';

/** What `/v1/oauth/verify` says about an access token: the answer an external tokenserver relies on. */
export interface AccessTokenInfo {
  user: string;
  client_id: string;
  scope: string[];
  generation: number;
  /** Seconds. */
  exp: number;
}

export interface RefreshTokenRecord {
  readonly uid: string;
  readonly clientId: string;
  readonly scope: string[];
  /** Seconds: when the user last typed the password, carried over from the session that made the grant. */
  readonly authAt: number;
}

interface AccessTokenClaims {
  aud: string;
  client_id: string;
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  scope: string;
  sub: string;
  'fxa-generation': number;
}

const DEFAULT_ACCESS_TOKEN_SECONDS = 3600;
const MAX_ACCESS_TOKEN_SECONDS = 86_400;

const encodeJson = (value: unknown) => toBase64Url(Buffer.from(JSON.stringify(value), 'utf8'));

/**
 * Access tokens are RS256 JWTs (`typ: at+jwt`) like Mozilla's, so a tokenserver may check them
 * against `/v1/jwks` or ask `/v1/verify`. Their ids are remembered so that destroy revokes them.
 */
export class OAuthAuthority {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly keyId = toHex(randomBytes(8));
  private readonly liveAccessTokenIds = new Set<string>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();

  constructor(
    private readonly registry: AccountRegistry,
    private readonly issuer: () => string,
  ) {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
    registry.onRevocation((uid) => this.revokeAccount(uid));
  }

  /** `ttlSeconds` is a request: the server may shorten it. */
  issueAccessToken(grant: { uid: string; clientId: string; scope: string[]; generation: number; ttlSeconds?: number }): {
    token: string;
    expiresIn: number;
  } {
    const expiresIn = Math.min(grant.ttlSeconds ?? DEFAULT_ACCESS_TOKEN_SECONDS, MAX_ACCESS_TOKEN_SECONDS);
    const now = Math.floor(Date.now() / 1000);
    const claims: AccessTokenClaims = {
      aud: grant.clientId,
      client_id: grant.clientId,
      exp: now + expiresIn,
      iat: now,
      iss: this.issuer(),
      jti: toHex(randomBytes(32)),
      scope: grant.scope.join(' '),
      sub: grant.uid,
      'fxa-generation': grant.generation,
    };
    const signingInput = `${encodeJson({ alg: 'RS256', typ: 'at+jwt', kid: this.keyId })}.${encodeJson(claims)}`;
    const signature = sign('sha256', Buffer.from(signingInput), this.privateKey);
    this.liveAccessTokenIds.add(claims.jti);
    return { token: `${signingInput}.${toBase64Url(signature)}`, expiresIn };
  }

  issueRefreshToken(record: RefreshTokenRecord): string {
    const token = toHex(randomBytes(32));
    this.refreshTokens.set(token, record);
    return token;
  }

  refreshToken(token: string): RefreshTokenRecord | undefined {
    return this.refreshTokens.get(token);
  }

  /** Checks signature, expiry and revocation; undefined for anything that is not a live token of ours. */
  verifyAccessToken(token: string): AccessTokenInfo | undefined {
    const claims = this.decodeAccessToken(token);
    if (!claims || !this.liveAccessTokenIds.has(claims.jti)) return undefined;
    if (claims.exp <= Math.floor(Date.now() / 1000)) return undefined;
    return {
      user: claims.sub,
      client_id: claims.client_id,
      scope: claims.scope.split(' ').filter(Boolean),
      generation: claims['fxa-generation'],
      exp: claims.exp,
    };
  }

  /** Revokes an access or refresh token; false when it was not known. */
  destroy(token: string): boolean {
    if (this.refreshTokens.delete(token)) return true;
    const claims = this.decodeAccessToken(token);
    return claims !== undefined && this.liveAccessTokenIds.delete(claims.jti);
  }

  jwks(): { keys: Array<Record<string, unknown>> } {
    return { keys: [{ ...this.publicKey.export({ format: 'jwk' }), kid: this.keyId, alg: 'RS256', use: 'sig' }] };
  }

  /**
   * A password reset ends refresh grants. Issued access tokens stay valid until they expire, as
   * Mozilla's stateless JWTs do; the tokenserver's generation check is what stops them.
   */
  private revokeAccount(uid: string): void {
    for (const [token, record] of this.refreshTokens) {
      if (record.uid === uid) this.refreshTokens.delete(token);
    }
  }

  private decodeAccessToken(token: string): AccessTokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    if (!verify('sha256', Buffer.from(`${header}.${payload}`), this.publicKey, Buffer.from(signature, 'base64url'))) {
      return undefined;
    }
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as AccessTokenClaims;
    } catch {
      return undefined;
    }
  }
}
