'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from './api';

export interface Loaded<T> {
  data: T | undefined;
  /** The last load's error, one line; the previous data stays shown meanwhile. */
  error: string | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Loads `load()` when the component mounts or `key` changes, and again every `refreshMs` while the
 * page is visible. A late answer of an earlier key never overwrites a newer one.
 */
export function useApi<T>(load: () => Promise<T>, key: string, options: { refreshMs?: number } = {}): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (reason: unknown) => {
        if (mine !== generation.current) return;
        setError(describeError(reason));
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    setData(undefined);
    run();
  }, [key, run]);

  const refreshMs = options.refreshMs;
  useEffect(() => {
    if (refreshMs === undefined) return undefined;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') run();
    }, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, run]);

  return { data, error, loading, reload: run };
}
