import { NextResponse, type NextRequest } from 'next/server';
import { SESSION_COOKIE, signInPath } from './lib/base-path';

/**
 * A browser without a session cookie gets the sign-in page for every dashboard page. Whether the
 * cookie is still good only the daemon knows: the pages ask it (GET /api/auth/me) and go to the
 * sign-in page on a 401.
 */
export function proxy(request: NextRequest): NextResponse {
  if (request.cookies.has(SESSION_COOKIE)) return NextResponse.next();
  const url = request.nextUrl.clone();
  const [path, query] = signInPath(request.nextUrl.pathname + request.nextUrl.search).split('?');
  url.pathname = path ?? '/signin';
  url.search = query === undefined ? '' : `?${query}`;
  return NextResponse.redirect(url);
}

export const config = {
  // Pages only: the API answers 401 itself, and the sign-in page and static files need no session.
  matcher: ['/((?!api/|api$|signin|_next/|favicon\\.ico|robots\\.txt).*)'],
};
