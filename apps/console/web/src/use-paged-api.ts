import { useCallback, useEffect, useState } from 'react';
import { ApiError, get } from './api';
import { useApi } from './use-api';

export interface PagedList<T> {
  /** Every row loaded so far: the first page, then each page `more()` added. */
  items: T[] | undefined;
  error: ApiError | Error | undefined;
  reload: () => void;
  /** Loads the next page from the service's cursor; null on the last page. */
  more: (() => void) | null;
  loadingMore: boolean;
}

/**
 * A list the service pages with a keyset cursor (`nextCursor` in the answer, `cursor` in the next
 * request): the first page from `path` (refreshed as useApi does, which starts the list again),
 * further pages on demand. The rows sit under `key` in each answer.
 */
export function usePagedApi<T>(path: string | null, key: string, options: { refreshMs?: number } = {}): PagedList<T> {
  const first = useApi<Record<string, unknown>>(path, options);
  const [extra, setExtra] = useState<{ items: T[]; cursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error | undefined>();
  useEffect(() => {
    setExtra(null);
    setMoreError(undefined);
  }, [first.data]);
  const cursor = extra ? extra.cursor : ((first.data?.['nextCursor'] as string | null | undefined) ?? null);
  const load = useCallback(async () => {
    if (!path || !cursor) return;
    setLoadingMore(true);
    try {
      const page = await get<Record<string, unknown>>(`${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`);
      setExtra((e) => ({ items: [...(e?.items ?? []), ...((page[key] as T[]) ?? [])], cursor: (page['nextCursor'] as string | null) ?? null }));
    } catch (err) {
      setMoreError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setLoadingMore(false);
    }
  }, [path, cursor, key]);
  const items = first.data ? [...((first.data[key] as T[]) ?? []), ...(extra?.items ?? [])] : undefined;
  return { items, error: first.error ?? moreError, reload: first.reload, more: cursor ? () => void load() : null, loadingMore };
}
