/** Where a request goes, split without re-encoding anything in the path. */
export interface RequestTarget {
  protocol: 'http:' | 'https:';
  /** Lower case, as the URL parser normalises it (IPv6 literals keep their brackets). */
  hostname: string;
  /** Explicit port, else 80 for http and 443 for https. */
  port: number;
  /** `scheme://host[:port]`, for the connection pool. */
  origin: string;
  /** Path and query exactly as they will be sent and signed; never empty. */
  path: string;
}

const ABSOLUTE_URL = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)([^#]*)/i;

/**
 * Splits `baseUrl` into origin and path and appends `rawPath` verbatim. Only the origin goes
 * through the WHATWG parser: the path keeps every byte (percent-encoding, `{}` in ids), because
 * Hawk signs the path as sent. A `/` at the end of the base and the start of `rawPath` is joined
 * into one, so base URLs with or without a trailing slash behave the same.
 */
export function resolveTarget(baseUrl: string, rawPath = ''): RequestTarget {
  const match = ABSOLUTE_URL.exec(baseUrl.trim());
  if (!match || match[1] === undefined) throw new TypeError(`not an absolute http(s) URL: ${baseUrl}`);
  const origin = new URL(match[1]);
  if (origin.protocol !== 'http:' && origin.protocol !== 'https:') {
    throw new TypeError(`unsupported URL scheme ${origin.protocol} in ${baseUrl}`);
  }
  let basePath = match[2] ?? '';
  if (basePath.endsWith('/') && rawPath.startsWith('/')) basePath = basePath.slice(0, -1);
  let path = basePath + rawPath;
  if (!path.startsWith('/')) path = `/${path}`;
  return {
    protocol: origin.protocol,
    hostname: origin.hostname,
    port: origin.port === '' ? (origin.protocol === 'http:' ? 80 : 443) : Number(origin.port),
    origin: origin.origin,
    path,
  };
}

/** The full URL of a target, for messages and for signing. */
export function targetHref(target: RequestTarget): string {
  return target.origin + target.path;
}
