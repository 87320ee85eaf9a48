import { useEffect, type ReactNode } from 'react';
import { ComparePage } from './pages/compare';
import { FeatureViewPage, FeaturesPage } from './pages/features';
import { KpiPage, KpisPage } from './pages/kpis';
import { ModelPage } from './pages/model';
import { ModelsPage } from './pages/models';
import { OverviewPage } from './pages/overview';
import { RunPage } from './pages/run';
import { ServingModelPage, ServingPage } from './pages/serving';
import { WarehousePage } from './pages/warehouse';
import { Link, match, useLocation } from './router';
import { SessionGate, useSession } from './session';

const NAV = [
  { to: '/', label: 'Overview', question: 'Is everything up and within its SLAs?' },
  { to: '/warehouse', label: 'Warehouse', question: 'Are events arriving clean, and what was rejected?' },
  { to: '/features', label: 'Features', question: 'Which features exist, in which versions, and are they fresh?' },
  { to: '/models', label: 'Models', question: 'Which version is champion, and why?' },
  { to: '/serving', label: 'Serving', question: 'What is served, is the input drifting, does it answer?' },
  { to: '/kpis', label: 'KPIs', question: 'How are the business figures the projects declared moving?' },
];

export function App() {
  return (
    <SessionGate>
      <Shell />
    </SessionGate>
  );
}

function Shell() {
  const { path, query } = useLocation();
  const page = route(path, query);
  useEffect(() => {
    document.title = `${page.title} · ML platform console`;
  }, [page.title]);
  const section = NAV.slice(1).find((n) => path === n.to || path.startsWith(`${n.to}/`) || (n.to === '/models' && (path.startsWith('/runs/') || path === '/compare')));
  const active = section?.to ?? (path === '/' ? '/' : null);
  return (
    <div className="layout">
      <nav className="sidebar" aria-label="Console">
        <div className="brand">ML platform</div>
        <ul>
          {NAV.map((n) => (
            <li key={n.to}>
              <Link to={n.to} title={n.question} aria-current={active === n.to ? 'page' : undefined}>
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
        <UserBox />
      </nav>
      <main className="content">{page.element}</main>
    </div>
  );
}

function UserBox() {
  const { session, signOut } = useSession();
  return (
    <div className="user">
      {session.authRequired ? (
        <>
          <div className="name" data-testid="signed-in-as">
            {session.name}
          </div>
          <div className="scopes">{session.scopes.join(', ')}</div>
          <button type="button" className="link" onClick={signOut}>
            Sign out
          </button>
        </>
      ) : (
        <div className="scopes" title="Embedded profile without AUTH_TOKENS: every action is open">
          open platform (no sign-in)
        </div>
      )}
    </div>
  );
}

function route(path: string, query: URLSearchParams): { title: string; element: ReactNode } {
  let p: Record<string, string> | null;
  if (path === '/' || path === '') return { title: 'Overview', element: <OverviewPage /> };
  if (path === '/warehouse') return { title: 'Warehouse', element: <WarehousePage /> };
  if (path === '/features') return { title: 'Features', element: <FeaturesPage /> };
  if ((p = match('/features/:name', path))) return { title: p.name, element: <FeatureViewPage key={p.name} name={p.name} /> };
  if (path === '/models') return { title: 'Models', element: <ModelsPage /> };
  if ((p = match('/models/:name', path))) return { title: p.name, element: <ModelPage key={p.name} name={p.name} /> };
  if ((p = match('/runs/:id', path))) return { title: `Run ${p.id.slice(0, 8)}`, element: <RunPage key={p.id} id={p.id} /> };
  if (path === '/compare') return { title: 'Compare runs', element: <ComparePage a={query.get('a')} b={query.get('b')} /> };
  if (path === '/kpis') return { title: 'KPIs', element: <KpisPage /> };
  if ((p = match('/kpis/:name', path))) return { title: p.name, element: <KpiPage key={p.name} name={p.name} /> };
  if (path === '/serving') return { title: 'Serving', element: <ServingPage /> };
  if ((p = match('/serving/:model', path))) return { title: `Serving ${p.model}`, element: <ServingModelPage key={p.model} model={p.model} /> };
  return {
    title: 'Not found',
    element: (
      <div className="page">
        <h1>Nothing here</h1>
        <p>
          The console has no page at <code>{path}</code>. <Link to="/">Back to the overview</Link>.
        </p>
      </div>
    ),
  };
}
