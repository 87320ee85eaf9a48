// The services' public API routes the console uses, and the scope each needs. The console's API
// answers `/api/<service>/<path>` for these routes only, so it is never an open proxy into the
// platform, and the pages ask `allowed()` before they show or enable an action. The scopes are the
// services' own (`@RequireScope` on their controllers); the console end-to-end test checks them
// against each running service's OpenAPI document. Plain TypeScript: the browser bundle uses it too.
import { grants } from './scopes';

export const UPSTREAMS = ['dwh-ingest', 'feature-store', 'trainer', 'model-serving'] as const;
export type Upstream = (typeof UPSTREAMS)[number];

export type RouteMethod = 'GET' | 'POST' | 'PUT';

export interface ConsoleRoute {
  upstream: Upstream;
  method: RouteMethod;
  /** The service's path template, `:name` for one path segment. */
  path: string;
  /** The scope the service requires; null when any valid token may call it. */
  scope: string | null;
}

const route = (upstream: Upstream, method: RouteMethod, path: string, scope: string | null): ConsoleRoute => ({ upstream, method, path, scope });

export const CONSOLE_ROUTES: readonly ConsoleRoute[] = [
  // Warehouse: SLAs, failed events and their replay, transformations, the tracking plan.
  route('dwh-ingest', 'GET', '/v1/sla', 'ingest:read'),
  route('dwh-ingest', 'GET', '/v1/failed-events', 'ingest:read'),
  route('dwh-ingest', 'POST', '/v1/failed-events/replay', 'ingest:write'),
  route('dwh-ingest', 'GET', '/v1/transformations/models', 'ingest:read'),
  route('dwh-ingest', 'GET', '/v1/transformations/runs', 'ingest:read'),
  route('dwh-ingest', 'GET', '/v1/transformations/runs/:id', 'ingest:read'),
  route('dwh-ingest', 'GET', '/v1/schemas', 'ingest:read'),
  route('dwh-ingest', 'GET', '/v1/schemas/:name/:version', 'ingest:read'),
  // Warehouse aggregates: events per hour, imports with their rejected rows, the model DAG.
  route('dwh-ingest', 'GET', '/v1/events/stats', 'ingest:read'),
  route('dwh-ingest', 'GET', '/v1/lineage', 'ingest:read'),
  route('dwh-ingest', 'GET', '/v1/imports/runs', 'ingest:read'),
  route('dwh-ingest', 'GET', '/v1/imports/runs/:id', 'ingest:read'),
  route('dwh-ingest', 'GET', '/v1/imports/runs/:id/rejected-rows', 'ingest:read'),
  // KPIs and outcomes the projects declared.
  route('dwh-ingest', 'GET', '/v1/kpis', 'ingest:read'),
  route('dwh-ingest', 'GET', '/v1/kpis/:name', 'ingest:read'),
  route('dwh-ingest', 'GET', '/v1/outcomes', 'ingest:read'),
  // Features: the registry, freshness, statistics, materializations.
  route('feature-store', 'GET', '/v1/entities', 'features:read'),
  route('feature-store', 'GET', '/v1/feature-views', 'features:read'),
  route('feature-store', 'GET', '/v1/feature-views/:name', 'features:read'),
  route('feature-store', 'GET', '/v1/feature-views/:name/stats', 'features:read'),
  route('feature-store', 'GET', '/v1/feature-services', 'features:read'),
  route('feature-store', 'GET', '/v1/feature-services/:name', 'features:read'),
  route('feature-store', 'GET', '/v1/freshness', 'features:read'),
  route('feature-store', 'GET', '/v1/materializations', 'features:read'),
  // Models: registry, runs, specs, and moving an alias (audited by the trainer).
  route('trainer', 'GET', '/v1/models', 'trainer:read'),
  route('trainer', 'GET', '/v1/models/:name', 'trainer:read'),
  route('trainer', 'GET', '/v1/models/:name/versions', 'trainer:read'),
  route('trainer', 'GET', '/v1/models/:name/versions/:version', 'trainer:read'),
  route('trainer', 'GET', '/v1/models/:name/audit', 'trainer:read'),
  route('trainer', 'POST', '/v1/models/:name/aliases', 'admin'),
  route('trainer', 'GET', '/v1/training-runs', 'trainer:read'),
  route('trainer', 'GET', '/v1/training-runs/:id', 'trainer:read'),
  route('trainer', 'GET', '/v1/training-runs/:id/holdout-predictions', 'trainer:read'),
  route('trainer', 'GET', '/v1/model-specs', 'trainer:read'),
  route('trainer', 'GET', '/v1/model-specs/:name', 'trainer:read'),
  // Serving: what is served, traffic, drift, live quality, and real V2 requests.
  route('model-serving', 'GET', '/v1/models', null),
  route('model-serving', 'GET', '/v1/models/:model/traffic-policy', null),
  route('model-serving', 'PUT', '/v1/models/:model/traffic-policy', 'serving:admin'),
  route('model-serving', 'GET', '/v1/models/:model/traffic-stats', null),
  route('model-serving', 'GET', '/v1/models/:model/drift', null),
  route('model-serving', 'GET', '/v1/models/:model/drift/history', null),
  route('model-serving', 'GET', '/v1/models/:model/live-quality', null),
  route('model-serving', 'GET', '/v1/prediction-log', null),
  route('model-serving', 'GET', '/v2/models/:model', null),
  route('model-serving', 'GET', '/v2/models/:model/versions/:version', null),
  route('model-serving', 'POST', '/v2/models/:model/infer', 'serving:predict'),
  route('model-serving', 'POST', '/v2/models/:model/versions/:version/infer', 'serving:predict'),
];

/** One path segment as it may travel: percent-encoded, never empty, `.`, `..`, or hiding a slash. */
function safeSegment(segment: string): boolean {
  if (!/^[A-Za-z0-9._~:@!$'()*+,;=%-]+$/.test(segment)) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return decoded !== '.' && decoded !== '..' && !decoded.includes('/') && !decoded.includes('\\') && !decoded.includes(String.fromCharCode(0));
}

/** The route a request for `/api/<upstream><path>` means, or undefined when the console does not offer it. */
export function findRoute(upstream: string, method: string, path: string): ConsoleRoute | undefined {
  if (!(UPSTREAMS as readonly string[]).includes(upstream)) return undefined;
  const segments = path.split('/').slice(1);
  if (!path.startsWith('/') || !segments.every(safeSegment)) return undefined;
  return CONSOLE_ROUTES.find((r) => {
    if (r.upstream !== upstream || r.method !== method) return false;
    const template = r.path.split('/').slice(1);
    return template.length === segments.length && template.every((t, i) => t.startsWith(':') || t === segments[i]);
  });
}

/** Whether a token holding `scopes` may call the route (what the pages ask before offering an action). */
export function allowed(scopes: readonly string[], upstream: Upstream, method: RouteMethod, path: string): boolean {
  const r = findRoute(upstream, method, path);
  return !!r && (r.scope === null || grants(scopes, r.scope));
}
