'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { api, describeError, goToSignIn, holdSignInRedirects, leaveFor } from '../lib/api';
import type { Me } from '../lib/types';
import { useHydrated } from '../lib/use-hydrated';

const NAVIGATION = [
  { href: '/', label: 'Overview' },
  { href: '/accounts', label: 'Accounts' },
  { href: '/jobs', label: 'Jobs' },
] as const;

function isCurrent(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

/**
 * The signed-in frame: header with navigation and sign-out. It asks the daemon who is signed in;
 * a 401 (an expired or revoked session) sends the browser to the sign-in page.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const [me, setMe] = useState<Me | undefined>(undefined);
  const [signOutError, setSignOutError] = useState<string | undefined>(undefined);
  const [signingOut, setSigningOut] = useState(false);
  const hydrated = useHydrated();

  useEffect(() => {
    api.me().then(setMe, () => undefined);
  }, []);

  async function signOut() {
    setSigningOut(true);
    setSignOutError(undefined);
    holdSignInRedirects(true);
    try {
      await api.logout();
      leaveFor('/signin?signedOut=1');
    } catch (error) {
      holdSignInRedirects(false);
      setSigningOut(false);
      if ((error as { status?: number }).status === 401) goToSignIn();
      else setSignOutError(describeError(error));
    }
  }

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <Link href="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              ◆
            </span>{' '}
            Syncvault
          </Link>
          <nav aria-label="Main" className="main-nav">
            <ul>
              {NAVIGATION.map((item) => (
                <li key={item.href}>
                  <Link href={item.href} aria-current={isCurrent(pathname, item.href) ? 'page' : undefined}>
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="session">
            {me !== undefined && (
              <span className="session-user">
                Signed in as <strong>{me.username}</strong>
              </span>
            )}
            <button type="button" className="button button-quiet" onClick={signOut} disabled={!hydrated || signingOut}>
              {signingOut ? 'Signing out…' : 'Sign out'}
            </button>
          </div>
        </div>
        {signOutError !== undefined && (
          <p className="banner banner-error" role="alert">
            Signing out failed: {signOutError}
          </p>
        )}
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
