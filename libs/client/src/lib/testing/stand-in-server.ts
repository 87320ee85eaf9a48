import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the stand-in received it. */
export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
}

/**
 * What to answer: a status with a JSON body and headers, raw text, `chunks` streamed 5 ms apart
 * (`cut` then breaks the connection before the end), or `drop` to cut the connection (a network error).
 */
export type Answer = { status?: number; json?: unknown; text?: string; headers?: Record<string, string>; chunks?: Array<string | Uint8Array>; cut?: boolean; drop?: boolean };

/**
 * A local HTTP server standing in for a platform service: records every request and answers with
 * `respond(request, n)` (n counts from 0).
 */
export async function standInServer(respond: (req: Received, n: number) => Answer | Promise<Answer> = () => ({ json: {} })) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(parts).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json };
      received.push(r);
      const answer = await respond(r, received.length - 1);
      if (answer.drop) {
        req.socket.destroy();
        return;
      }
      if (answer.chunks) {
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/x-ndjson', ...answer.headers });
        for (const chunk of answer.chunks) {
          res.write(chunk);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        if (answer.cut) res.destroy();
        else res.end();
        return;
      }
      const text = answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json));
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Resolves once `n` requests have arrived. */
    async waitFor(n: number, timeoutMs = 5000): Promise<void> {
      const until = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} requests, got ${received.length}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type StandIn = Awaited<ReturnType<typeof standInServer>>;
