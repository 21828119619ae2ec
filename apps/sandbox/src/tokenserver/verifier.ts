import type { OAuthAuthority } from '../accounts/oauth.js';

/** What the tokenserver needs from an OAuth access token. */
export interface VerifiedAccessToken {
  fxaUid: string;
  scope: string[];
  generation?: number;
}

/** Resolves a Bearer token to its user, or undefined when the accounts server does not vouch for it. */
export type AccessTokenVerifier = (token: string) => Promise<VerifiedAccessToken | undefined>;

/** Trusts the sandbox's own accounts server directly. */
export function localVerifier(oauth: OAuthAuthority): AccessTokenVerifier {
  return async (token) => {
    const info = oauth.verifyAccessToken(token);
    return info && { fxaUid: info.user, scope: info.scope, generation: info.generation };
  };
}

/**
 * Trusts another accounts server through `POST <base>/v1/oauth/verify`, as a self-hosted
 * syncstorage-rs tokenserver trusts Mozilla's. Any failure to get a clear yes is a no.
 */
export function remoteVerifier(accountsServerBase: string, timeoutMs = 10_000): AccessTokenVerifier {
  const verifyUrl = `${accountsServerBase.replace(/\/+$/, '')}/v1/oauth/verify`;
  return async (token) => {
    try {
      const response = await fetch(verifyUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) return undefined;
      const body = (await response.json()) as { user?: unknown; scope?: unknown; generation?: unknown };
      if (typeof body.user !== 'string' || !Array.isArray(body.scope)) return undefined;
      return {
        fxaUid: body.user,
        scope: body.scope.filter((scope): scope is string => typeof scope === 'string'),
        ...(typeof body.generation === 'number' ? { generation: body.generation } : {}),
      };
    } catch {
      return undefined;
    }
  };
}
