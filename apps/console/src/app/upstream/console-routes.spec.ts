import { allowed, CONSOLE_ROUTES, findRoute } from './console-routes';

describe('the routes the console offers', () => {
  it('finds a route by its template, one path segment per parameter', () => {
    expect(findRoute('trainer', 'POST', '/v1/models/churn/aliases')).toMatchObject({ path: '/v1/models/:name/aliases', scope: 'admin' });
    expect(findRoute('model-serving', 'POST', '/v2/models/churn/versions/3/infer')).toMatchObject({ scope: 'serving:predict' });
    expect(findRoute('dwh-ingest', 'GET', '/v1/failed-events')).toMatchObject({ scope: 'ingest:read' });
  });

  it('offers nothing else: other paths, other methods, other services', () => {
    expect(findRoute('trainer', 'DELETE', '/v1/models/churn')).toBeUndefined();
    expect(findRoute('trainer', 'POST', '/v1/model-specs')).toBeUndefined();
    expect(findRoute('feature-store', 'POST', '/v1/apply')).toBeUndefined();
    expect(findRoute('postgres', 'GET', '/v1/models')).toBeUndefined();
    expect(findRoute('trainer', 'GET', '/v1/models/churn/versions/3/artifact')).toBeUndefined();
  });

  it('never lets a parameter climb out of its segment', () => {
    for (const path of ['/v1/models/..', '/v1/models/.', '/v1/models/..%2Fmodel-specs', '/v1/models/a%2fb', '/v1/models/a%5Cb', '/v1/models/%00', '/v1/models/%E0%A4%A', '/v1/models/a b', '/v1/models//versions']) {
      expect(findRoute('trainer', 'GET', path)).toBeUndefined();
    }
    expect(findRoute('trainer', 'GET', '/v1/models/churn%20v2')).toBeDefined();
  });

  it('lets a token call a route only with its scope (admin and area:* included)', () => {
    expect(allowed(['trainer:read'], 'trainer', 'GET', '/v1/models')).toBe(true);
    expect(allowed(['trainer:read'], 'trainer', 'POST', '/v1/models/churn/aliases')).toBe(false);
    expect(allowed(['admin'], 'trainer', 'POST', '/v1/models/churn/aliases')).toBe(true);
    expect(allowed(['ingest:*'], 'dwh-ingest', 'POST', '/v1/failed-events/replay')).toBe(true);
    expect(allowed(['ingest:read'], 'dwh-ingest', 'POST', '/v1/failed-events/replay')).toBe(false);
    // Serving's reads need any valid token, its predictions serving:predict.
    expect(allowed(['features:read'], 'model-serving', 'GET', '/v1/models/churn/drift')).toBe(true);
    expect(allowed(['features:read'], 'model-serving', 'POST', '/v2/models/churn/infer')).toBe(false);
  });

  it('lists each route once', () => {
    const keys = CONSOLE_ROUTES.map((r) => `${r.upstream} ${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
