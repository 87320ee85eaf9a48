import { useState } from 'react';

/**
 * Keyset pagination as the services page (newest first, a `nextCursor` per page): the cursors of the
 * pages seen so far, so "Newer" goes back without the service counting offsets.
 */
export function useCursors() {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    older: (next: string) => setCursors((c) => [...c, next]),
    newer: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    reset: () => setCursors([null]),
  };
}

export function KeysetPager({ pages, nextCursor }: { pages: ReturnType<typeof useCursors>; nextCursor: string | null | undefined }) {
  return (
    <div className="pager">
      <button type="button" className="secondary" disabled={pages.page === 1} onClick={pages.newer}>
        ← Newer
      </button>
      <span className="meta">page {pages.page}</span>
      <button type="button" className="secondary" disabled={!nextCursor} onClick={() => nextCursor && pages.older(nextCursor)}>
        Older →
      </button>
    </div>
  );
}
