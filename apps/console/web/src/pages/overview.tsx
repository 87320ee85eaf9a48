import type { BoardItem, OverviewBoard } from '@mlp/contracts';
import { ErrorBox, Loading, StatusDot } from '../components';
import { ago } from '../format';
import { Link } from '../router';
import { useApi } from '../use-api';

const AREAS: Array<{ area: BoardItem['area']; title: string }> = [
  { area: 'services', title: 'Services' },
  { area: 'warehouse', title: 'Warehouse SLAs' },
  { area: 'features', title: 'Feature freshness' },
  { area: 'models', title: 'Models' },
  { area: 'serving', title: 'Serving' },
];

const ORDER = { red: 0, amber: 1, unknown: 2, green: 3 } as const;

/** Is everything up and within its SLAs? One board, worst first in each area. */
export function OverviewPage() {
  const board = useApi<OverviewBoard>('/api/overview', { refreshMs: 15000 });
  return (
    <div className="page">
      <h1>Overview</h1>
      {board.error && <ErrorBox error={board.error} what="The board could not be read" />}
      {!board.data && !board.error && <Loading what="the board" />}
      {board.data && <Board board={board.data} />}
    </div>
  );
}

function Board({ board }: { board: OverviewBoard }) {
  return (
    <>
      <p className="summary" data-testid="board-counts">
        <span className="count count-red">{board.counts.red} red</span>
        <span className="count count-amber">{board.counts.amber} amber</span>
        <span className="count count-green">{board.counts.green} green</span>
        <span className="count count-unknown">{board.counts.unknown} unknown</span>
        <span className="meta">checked {ago(board.checkedAt)}, every 15 s</span>
      </p>
      <div className="board">
        {AREAS.map(({ area, title }) => {
          const items = board.items.filter((i) => i.area === area).sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.name.localeCompare(b.name));
          return (
            <section key={area} className="panel board-area" aria-label={title}>
              <header>
                <h2>{title}</h2>
              </header>
              {items.length === 0 ? (
                <p className="meta">nothing to watch yet</p>
              ) : (
                <ul className="board-items">
                  {items.map((item) => (
                    <li key={`${item.area}:${item.name}`} className={`board-item status-${item.status}`} data-status={item.status}>
                      <StatusDot status={item.status} />
                      <Link to={item.link} className="board-name">
                        {item.name}
                      </Link>
                      <span className="board-summary">{item.summary}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          );
        })}
      </div>
    </>
  );
}
