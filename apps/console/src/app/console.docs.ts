import type { ApiContractOptions } from '@mlp/service-kit';

// The console API's OpenAPI documentation (the pages' own routes; the page files are not API).

export const SESSION_DOC: ApiContractOptions = {
  summary: 'The signed-in token: name and scopes',
  description:
    "Who the caller's bearer token is and what it may do: the pages check a token with this before keeping it, and show only the actions its scopes allow. In the embedded profile without tokens it answers `anonymous` with `admin` and `authRequired: false`. Never cached. Any valid token.",
  errors: {},
  example: { name: 'ops-admin', scopes: ['admin'], authRequired: true, profile: 'production' },
};

export const OVERVIEW_DOC: ApiContractOptions = {
  summary: 'The overview board: readiness and SLAs, red/amber/green',
  description:
    "Every service's readiness and every SLA (warehouse datasets, feature freshness, models and their last runs, served models and drift) as one board, read from the services with the caller's token. What cannot be read (a service down, a token without the scope) is `unknown` with the reason, never an error. Each item links to the page that answers the next question. Never cached. Any valid token.",
  errors: {},
  example: {
    checkedAt: '2026-12-07T10:00:15.020Z',
    items: [
      { area: 'services', name: 'trainer', status: 'green', summary: 'ready (4 ms)', link: '/models' },
      { area: 'warehouse', name: 'prediction_log freshness', status: 'amber', summary: 'last load 4210 s ago, warn after 3600 s', link: '/warehouse' },
      { area: 'features', name: 'colour_rgb freshness', status: 'green', summary: 'newest value 18 s old (SLA 3650.0 d)', link: '/features/colour_rgb' },
      { area: 'models', name: 'warm_colour', status: 'green', summary: 'champion v1, last run succeeded', link: '/models/warm_colour' },
      { area: 'serving', name: 'warm_colour', status: 'unknown', summary: 'v1 served; drift needs more predictions (2 seen)', link: '/serving/warm_colour' },
    ],
    counts: { green: 3, amber: 1, red: 0, unknown: 1 },
  },
};

export const PROXY_DOC: ApiContractOptions = {
  summary: "A route of a service's API, through the console",
  description:
    "`/api/{upstream}/{path}`: how the pages reach the services (`dwh-ingest`, `feature-store`, `trainer`, `model-serving`), for the GET and POST routes listed in `src/app/upstream/console-routes.ts` only (see the console README); anything else, other methods included, is 404 ROUTE_NOT_FOUND. The caller's token is checked here for the route's scope (so the console refuses what it would not offer), then passed on; the service decides as it always does, and its answer (status, body and error codes) comes back unchanged. Service URLs stay on the server. Example: `GET /api/trainer/v1/models`.",
  params: { upstream: 'dwh-ingest, feature-store, trainer or model-serving', path: "The service's path, e.g. v1/models" },
  errors: { 401: ['UNAUTHENTICATED'], 403: ['FORBIDDEN'], 404: ['ROUTE_NOT_FOUND'], 503: ['DEPENDENCY_UNAVAILABLE'] },
  example: {
    models: [
      {
        name: 'warm_colour',
        description: 'Probability that a colour is warm',
        tags: {},
        featureService: 'warm_colour',
        task: 'binary_classification',
        latestVersion: 1,
        aliases: { champion: 1, challenger: null },
        createdAt: '2026-12-07T09:57:18.911Z',
        updatedAt: '2026-12-07T09:57:18.911Z',
      },
    ],
  },
};
