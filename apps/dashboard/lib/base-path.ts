/** The base path the dashboard was built with ('' or e.g. '/syncvault'); next.config.ts bakes it in. */
export const BASE_PATH = process.env.SYNCVAULT_BASE_PATH ?? '';

/** The session cookie the daemon sets at sign-in (HttpOnly: only its presence is visible to the server side). */
export const SESSION_COOKIE = 'syncvault_session';

/** A dashboard page's URL path without the base path, kept only when it is a path inside the dashboard. */
export function safeReturnPath(path: string | null | undefined): string {
  if (path === null || path === undefined || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/signin')) return '/';
  return path;
}

/** Where the sign-in page is, remembering the page to come back to. */
export function signInPath(returnTo: string): string {
  const back = safeReturnPath(returnTo);
  return back === '/' ? '/signin' : `/signin?next=${encodeURIComponent(back)}`;
}
