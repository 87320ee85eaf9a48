// A real nats-server started with the platform's rendered configuration (tools/deploy/nats-config.mjs)
// on a free loopback port, with a throwaway JetStream directory and a password per service, for
// tests that check the broker's permissions and the services running under them.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { passwordVariable } from '../nats-config.mjs';

export const natsServerBin = () => process.env.NATS_SERVER_BIN ?? 'nats-server';

/** True when a nats-server binary can be run here. */
export function natsServerAvailable() {
  return spawnSync(natsServerBin(), ['--version'], { stdio: 'ignore' }).status === 0;
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/**
 * @param {{ config: string, services: string[] }} options the nats.conf text and the services it names
 * @returns {Promise<{ url: string, passwords: Record<string, string>, stop: () => Promise<void> }>}
 */
export async function startNatsServer({ config, services }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-nats-'));
  const file = path.join(dir, 'nats.conf');
  // The file's JetStream directory is the pod's volume; here a temporary one.
  fs.writeFileSync(file, config.replace(/store_dir: "[^"]*"/, `store_dir: ${JSON.stringify(path.join(dir, 'js'))}`));
  const passwords = Object.fromEntries(services.map((s) => [s, `test-password-${s}-${Math.random().toString(36).slice(2)}`]));
  const [port, monitor] = [await freePort(), await freePort()];
  const env = { PATH: process.env.PATH, ...Object.fromEntries(services.map((s) => [passwordVariable(s), passwords[s]])) };
  // Command-line flags win over the file: loopback and free ports.
  const child = spawn(natsServerBin(), ['-c', file, '-a', '127.0.0.1', '-p', String(port), '-m', String(monitor)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${monitor}/healthz`).catch(() => null);
    if (res?.ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`nats-server did not start: ${stderr.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `nats://127.0.0.1:${port}`, passwords, stop };
}
