// A stand-in trainer (and feature store) for tests of model-serving alone: it speaks the NestJS TCP
// transport (`<length>#<json>` frames) and answers trainer.aliases.v1 / trainer.model-version.v1
// with one registered model (the exported demo champion of tools/bench/models by default) and the
// info messages. Anything else gets an error answer, so model-serving's prediction log goes where
// PEERS says dwh-ingest is: a real warehouse, in the tests that use this.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The exported model: `{ entry, rows }` where each row holds raw `features` and the trainer's `score`. */
export function benchModel(file = path.join(root, 'tools/bench/models/purchase-propensity.json')) {
  const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
  return { entry: { ...exported.entry, aliases: ['champion'] }, rows: exported.rows };
}

/**
 * `more(pattern, data)` answers further patterns (return undefined for "not mine"), e.g. a bench
 * counting the prediction log records it receives.
 * @returns {Promise<{ port: number, close: () => Promise<void> }>}
 */
export function startRegistryPeer(entry, { more = () => undefined } = {}) {
  const answer = (pattern, data) => {
    const answered = more(pattern, data);
    if (answered !== undefined) return answered;
    if (pattern === 'trainer.aliases.v1') return { models: [{ model: entry.model, champion: entry.version, challenger: null }] };
    if (pattern === 'trainer.model-version.v1') return entry;
    if (pattern.endsWith('.info.v1')) return { service: 'registry-peer', version: '0', schema: 'none', migrations: [], transport: 'tcp', profile: 'embedded', startedAt: new Date().toISOString(), requestId: 'peer' };
    throw Object.assign(new Error(`the registry peer does not answer ${pattern}`), { code: 'NOT_FOUND', status: 404 });
  };
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (;;) {
        const hash = buffer.indexOf('#');
        if (hash < 0) return;
        const length = Number(buffer.slice(0, hash));
        if (buffer.length - hash - 1 < length) return;
        const message = JSON.parse(buffer.slice(hash + 1, hash + 1 + length));
        buffer = buffer.slice(hash + 1 + length);
        if (message.id === undefined) continue; // an event: nothing to answer
        let reply;
        try {
          reply = { id: message.id, response: answer(message.pattern, message.data?.data), isDisposed: true };
        } catch (err) {
          reply = { id: message.id, err: { error: err.message, code: err.code, status: err.status, details: [] }, isDisposed: true };
        }
        const text = JSON.stringify(reply);
        socket.write(`${text.length}#${text}`);
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    ),
  );
}
