/**
 * Forwards the browser's `<basePath>/api/*` requests to the daemon, streaming both ways (Server-Sent
 * Events included), so the browser talks to one origin and the daemon's HttpOnly session cookie
 * works. Next.js bakes next.config rewrites into the build; this reads SYNCVAULT_API_URL at
 * request time instead, so one build serves any daemon address.
 */
const DEFAULT_API_URL = 'http://127.0.0.1:8787';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and those fetch sets itself. */
const REQUEST_HEADERS_DROPPED = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length', 'accept-encoding', 'expect']);
/** Node's fetch has already decoded the body, so its encoding and length no longer apply. */
const RESPONSE_HEADERS_DROPPED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'trailer', 'upgrade', 'content-encoding', 'content-length', 'set-cookie']);

/** The daemon's base URL (with its own base path, if any), without a trailing slash. */
export function daemonUrl(): string {
  const configured = process.env['SYNCVAULT_API_URL']?.trim() || DEFAULT_API_URL;
  return configured.replace(/\/+$/, '');
}

/**
 * The daemon scopes its cookie to its own base path; the browser sees the dashboard's, so the
 * cookie is rescoped to the dashboard's base path.
 */
function rescopeCookie(cookie: string, path: string, secure: boolean): string {
  const attributes = cookie.split(';').filter((part) => !/^\s*path\s*=/i.test(part));
  attributes.splice(1, 0, ` Path=${path}`);
  if (secure && !attributes.some((part) => /^\s*secure\s*$/i.test(part))) attributes.push(' Secure');
  return attributes.join(';');
}

function failure(status: number, message: string): Response {
  return Response.json({ statusCode: status, error: status === 504 ? 'Gateway Timeout' : 'Bad Gateway', message }, { status, headers: { 'cache-control': 'no-store' } });
}

/** Forwards `request` to `<daemon>/<upstreamPath>` (e.g. `api/accounts` or `health`) and streams the answer back. */
export async function forwardToDaemon(request: Request, upstreamPath: string): Promise<Response> {
  const incoming = new URL(request.url);
  const target = `${daemonUrl()}/${upstreamPath}${incoming.search}`;

  const headers = new Headers();
  request.headers.forEach((value, name) => {
    if (!REQUEST_HEADERS_DROPPED.has(name.toLowerCase())) headers.set(name, value);
  });
  // Compressed answers would be decoded by fetch anyway, and would hold back SSE events.
  headers.set('accept-encoding', 'identity');
  const forwardedProto = request.headers.get('x-forwarded-proto') ?? incoming.protocol.replace(/:$/, '');
  headers.set('x-forwarded-proto', forwardedProto);
  headers.set('x-forwarded-host', request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? incoming.host);

  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== null;
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      redirect: 'manual',
      signal: request.signal,
      cache: 'no-store',
      ...(hasBody && { body: request.body, duplex: 'half' }),
    } as RequestInit);
  } catch (error) {
    if (request.signal.aborted) return new Response(null, { status: 499 });
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return failure(502, `the dashboard cannot reach the Syncvault daemon at ${daemonUrl()} (${reason}); is it running, and is SYNCVAULT_API_URL right?`);
  }

  const responseHeaders = new Headers();
  upstream.headers.forEach((value, name) => {
    if (!RESPONSE_HEADERS_DROPPED.has(name.toLowerCase())) responseHeaders.set(name, value);
  });
  const cookiePath = process.env.SYNCVAULT_BASE_PATH || '/';
  for (const cookie of upstream.headers.getSetCookie()) responseHeaders.append('set-cookie', rescopeCookie(cookie, cookiePath, forwardedProto === 'https'));
  if ((upstream.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    // no-transform keeps Next's (and nginx's) compression from buffering the events.
    responseHeaders.set('cache-control', 'no-cache, no-transform');
    responseHeaders.set('x-accel-buffering', 'no');
  }
  return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers: responseHeaders });
}
