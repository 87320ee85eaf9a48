// For the CLI's own tests: four small HTTP servers standing in for dwh-ingest, feature-store,
// trainer and model-serving. Each answers from a route table the test sets and records every
// request exactly (method, path, headers, body) so tests can check what `mlp` sent.
import http from 'node:http';

/**
 * @returns {Promise<{ urls: Record<string, string>, env: Record<string, string>, requests: object[],
 *   route(service: string, key: string, handler: (req) => { status?: number, body?: unknown }): void,
 *   close(): Promise<void> }>}
 */
export async function startStandIns() {
  const requests = [];
  const routes = { dwh: new Map(), features: new Map(), trainer: new Map(), serving: new Map() };
  const servers = {};
  const urls = {};
  for (const service of Object.keys(routes)) {
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const url = new URL(req.url, 'http://x');
        let json;
        try {
          json = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
        } catch {
          json = undefined;
        }
        const record = { service, method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, raw, body: json };
        requests.push(record);
        const handler = routes[service].get(`${req.method} ${url.pathname}`);
        const answer = handler ? handler(record) : { status: 404, body: { error: `no route ${req.method} ${url.pathname}`, code: 'ROUTE_NOT_FOUND', details: [] } };
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers[service] = server;
    urls[service] = `http://127.0.0.1:${server.address().port}`;
  }
  return {
    urls,
    env: { MLP_DWH_URL: urls.dwh, MLP_FEATURES_URL: urls.features, MLP_TRAINER_URL: urls.trainer, MLP_SERVING_URL: urls.serving },
    requests,
    route(service, key, handler) {
      routes[service].set(key, typeof handler === 'function' ? handler : () => handler);
    },
    reset() {
      requests.length = 0;
      for (const r of Object.values(routes)) r.clear();
    },
    async close() {
      await Promise.all(Object.values(servers).map((s) => new Promise((r) => s.close(r))));
    },
  };
}

/** A port nothing listens on (for "unreachable"). */
export async function closedPortUrl() {
  const s = http.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}

/** Captures what `mlp` writes. */
export const sink = (isTTY = false) => ({
  isTTY,
  text: '',
  write(s) {
    this.text += s;
    return true;
  },
});
