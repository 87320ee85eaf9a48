import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// Each app as the process a deployment runs (built by `npm test` before Jest starts): a bad
// environment must stop it at once with a message naming the variable, never half-start it.
const root = path.resolve(__dirname, '..', '..');
const APPS = ['dwh-ingest', 'feature-store', 'trainer', 'model-serving'];

function run(app: string, env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const main = path.join(root, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run the tests with npm test (it builds the apps first)`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe.each(APPS)('%s as a process', (app) => {
  it('exits non-zero naming a missing DATABASE_URL', async () => {
    const r = await run(app, {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DATABASE_URL is required but not set/);
  });

  it('exits non-zero naming a malformed variable', async () => {
    const r = await run(app, { DATABASE_URL: 'postgres://x@127.0.0.1:1/db', PORT: 'http' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PORT must be integer \(got "http"\)/);
  });

  it('refuses to start in production without tokens', async () => {
    const r = await run(app, { DATABASE_URL: 'postgres://x@127.0.0.1:1/db', PLATFORM_PROFILE: 'production' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/AUTH_TOKENS is required in the production profile/);
  });

  it('describes its environment as JSON Schema for deployment checks', async () => {
    const r = await run(app, {}, ['env-schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toContain('DATABASE_URL');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['PORT', 'TCP_PORT', 'NATS_URL', 'AUTH_TOKENS']));
  });
});
