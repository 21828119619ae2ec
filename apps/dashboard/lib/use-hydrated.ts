'use client';

import { useEffect, useState } from 'react';

/**
 * False in the server-rendered HTML and until React has attached its handlers. Buttons that only
 * work through JavaScript stay disabled until then: a sign-in form submitted natively would put
 * the password in the URL.
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
