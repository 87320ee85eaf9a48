import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, asApiError, get } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * GETs one of the console's own endpoints (`/api/overview`; null: nothing to load yet), again on
 * `reload()` and every `refreshMs`. The platform's services are reached through useCall and @mlp/client.
 */
export function useApi<T>(path: string | null, options: { refreshMs?: number } = {}): Loaded<T> {
  return useCall<T>(path, (signal) => get<T>(path as string, signal), options);
}

/**
 * Runs `call` (an @mlp/client call, see platform.ts) whenever `key` changes (null: nothing to load
 * yet), again on `reload()` and every `refreshMs`; the key names what is loaded, as a path does.
 */
export function useCall<T>(key: string | null, call: (signal: AbortSignal) => Promise<T>, { refreshMs }: { refreshMs?: number } = {}): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError | Error>();
  const [loading, setLoading] = useState(key !== null);
  const [tick, setTick] = useState(0);
  const shown = useRef<string | null>(null);
  const latest = useRef(call);
  latest.current = call;

  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    // A new key starts empty; a reload of the same key keeps showing the last answer meanwhile.
    if (shown.current !== key) {
      setData(undefined);
      shown.current = key;
    }
    setLoading(true);
    latest.current(controller.signal).then(
      (body) => {
        // An answer that arrives after its key changed is not shown over the new one's.
        if (controller.signal.aborted) return;
        setData(body);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setError(asApiError(err));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [key, tick]);

  useEffect(() => {
    if (!refreshMs || key === null) return;
    const timer = setInterval(() => setTick((t) => t + 1), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, key]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
