import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, asApiError } from './api';
import { useCall } from './use-api';

export interface PagedList<T> {
  /** Every row loaded so far: the first page, then each page `more()` added. */
  items: T[] | undefined;
  error: ApiError | Error | undefined;
  reload: () => void;
  /** Loads the next page from the service's cursor; null on the last page. */
  more: (() => void) | null;
  loadingMore: boolean;
}

/** One page of a keyset-paged list, as the client's `...Page` calls answer it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A list the service pages with a keyset cursor: the first page from `page(undefined)` (refreshed as
 * useCall does, which starts the list again), further pages on demand with the previous page's
 * `nextCursor`. `key` names the list as useCall's does (null: nothing to load yet).
 */
export function usePagedCall<T>(key: string | null, page: (cursor: string | undefined, signal?: AbortSignal) => Promise<Page<T>>, options: { refreshMs?: number } = {}): PagedList<T> {
  const first = useCall<Page<T>>(key, (signal) => page(undefined, signal), options);
  const latest = useRef(page);
  latest.current = page;
  const [extra, setExtra] = useState<Page<T> | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error | undefined>();
  useEffect(() => {
    setExtra(null);
    setMoreError(undefined);
  }, [first.data]);
  const cursor = extra ? extra.nextCursor : (first.data?.nextCursor ?? null);
  const load = useCallback(async () => {
    if (!key || !cursor) return;
    setLoadingMore(true);
    try {
      const next = await latest.current(cursor);
      setExtra((e) => ({ items: [...(e?.items ?? []), ...next.items], nextCursor: next.nextCursor }));
    } catch (err) {
      setMoreError(asApiError(err));
    } finally {
      setLoadingMore(false);
    }
  }, [key, cursor]);
  const items = first.data ? [...first.data.items, ...(extra?.items ?? [])] : undefined;
  return { items, error: first.error ?? moreError, reload: first.reload, more: cursor ? () => void load() : null, loadingMore };
}
