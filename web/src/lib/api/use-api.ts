'use client';

import { useCallback, useEffect, useState } from 'react';
import { api, type ApiOptions } from './client';

export interface ApiState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (null = skip), optionally polling every `pollMs`; keeps the last data while reloading. */
export function useApi<T>(
  path: string | null,
  options: { query?: ApiOptions['query']; pollMs?: number } = {},
): ApiState<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  const queryJson = JSON.stringify(options.query ?? {});

  useEffect(() => {
    if (path === null) return;
    let cancelled = false;
    const controller = new AbortController();
    const load = () =>
      api<T>(path, {
        query: JSON.parse(queryJson) as ApiOptions['query'],
        signal: controller.signal,
      }).then(
        (data) => !cancelled && setState({ data, loading: false }),
        (error: unknown) => {
          if (cancelled || (error instanceof DOMException && error.name === 'AbortError')) return;
          setState((s) => ({ data: s.data, error, loading: false }));
        },
      );
    void load();
    const timer = options.pollMs ? setInterval(() => void load(), options.pollMs) : undefined;
    return () => {
      cancelled = true;
      controller.abort();
      if (timer) clearInterval(timer);
    };
  }, [path, queryJson, tick, options.pollMs]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
