import { Controller, Get, Module } from '@nestjs/common';
import { defineMessage, ErrorCode } from '@mlp/contracts';
import { requestContext } from '@mlp/runtime';
import { Type } from '@sinclair/typebox';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PLATFORM_LOGGER } from '../observability/logger.provider';
import { callService, startTestService, type TestService } from '../../testing';
import type { ServiceDefinition } from '../service-definition';
import { RequireScope } from './auth';

const Info = defineMessage('kit-tokens.info.v1', Type.Object({}), Type.Any(), 'test');

@Controller('v1/things')
class ThingsController {
  @Get()
  @RequireScope('things:read')
  list() {
    return { principal: requestContext.get()?.principal };
  }
}
@Module({ controllers: [ThingsController] })
class ThingsModule {}

const def: ServiceDefinition = { name: 'kit-tokens', version: '1.0.0-test', description: 'tokens file test', schema: 'kit_tokens', httpPort: 0, tcpPort: 0, migrations: [], info: Info };

const reader = { name: 'dashboards', token: 'dashboards-token-0123456789', scopes: ['things:read'] };
const ci = { name: 'ci-pipeline', token: 'ci-pipeline-token-0123456789', scopes: ['things:*'] };

/** Writes the tokens the way the kubelet updates a Secret volume: a new directory, then an atomic `..data` swap. */
function writeSecret(dir: string, tokens: unknown[]): void {
  const version = path.join(dir, `..${Date.now()}_${Math.random().toString(36).slice(2)}`);
  fs.mkdirSync(version);
  fs.writeFileSync(path.join(version, 'auth-tokens.json'), JSON.stringify(tokens));
  const previous = fs.existsSync(path.join(dir, '..data')) ? fs.readlinkSync(path.join(dir, '..data')) : undefined;
  fs.symlinkSync(path.basename(version), path.join(dir, '..data_tmp'));
  fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
  if (!fs.existsSync(path.join(dir, 'auth-tokens.json'))) fs.symlinkSync('..data/auth-tokens.json', path.join(dir, 'auth-tokens.json'));
  if (previous) fs.rmSync(path.join(dir, previous), { recursive: true });
}

const get = (svc: TestService, token: string) => callService(svc, 'GET', '/v1/things', undefined, { authorization: `Bearer ${token}` });

describe('bearer tokens from a mounted Secret, without restarts', () => {
  let dir: string;
  let svc: TestService;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-tokens-'));
    writeSecret(dir, [reader]);
    svc = await startTestService(def, ThingsModule, {
      env: { PLATFORM_PROFILE: 'production', AUTH_TOKENS_FILE: path.join(dir, 'auth-tokens.json'), TRANSPORT_SECRET: 'kit-tokens-transport-secret-0123456789' },
    });
  });
  afterAll(async () => {
    await svc?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a revoked token is refused within seconds and a new one works, with each change in the audit log by name', async () => {
    expect([(await get(svc, reader.token)).status, (await get(svc, reader.token)).json]).toEqual([200, { principal: 'dashboards' }]);
    expect((await get(svc, ci.token)).status).toBe(401);
    const revokedAt = Date.now();
    writeSecret(dir, [ci]);
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 5000) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await get(svc, reader.token)).status;
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(3000);
    expect((await get(svc, ci.token)).json).toEqual({ principal: 'ci-pipeline' });
    const reload = svc.logs.find((l) => l['msg'] === 'auth tokens reloaded');
    expect(reload).toEqual([expect.objectContaining({ audit: 'auth', tokens: ['ci-pipeline'], added: ['ci-pipeline'], removed: ['dashboards'], changed: [] })]);
    expect(JSON.stringify(svc.logs.lines)).not.toContain(ci.token);
  });

  it('counts requests by token name and logs a refused one with the token it used', async () => {
    writeSecret(dir, [ci, { name: 'narrow', token: 'narrow-token-0123456789ab', scopes: ['other:read'] }]);
    let status = 0;
    for (let i = 0; i < 100 && status !== 403; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await get(svc, 'narrow-token-0123456789ab')).status;
    }
    expect(status).toBe(403);
    expect((await get(svc, ci.token)).status).toBe(200);
    const refusal = svc.logs.find((l) => l['msg'] === 'request refused' && l['tokenName'] === 'narrow');
    expect(refusal[0]).toMatchObject({ audit: 'auth', result: 'forbidden', scope: 'things:read' });
    const metrics = (await callService(svc, 'GET', '/metrics')).json['text'] as string;
    expect(metrics).toMatch(/auth_requests_total\{token="ci-pipeline",result="ok",service="kit-tokens"\} [1-9]/);
    expect(metrics).toMatch(/auth_requests_total\{token="narrow",result="forbidden",service="kit-tokens"\} [1-9]/);
    expect(metrics).toMatch(/auth_tokens\{service="kit-tokens"\} 2/);
    // Log lines written inside a request name who made it.
    requestContext.run({ requestId: 'r-principal', principal: 'ci-pipeline' }, () => svc.app.get(PLATFORM_LOGGER).info('inside a request'));
    expect(svc.logs.find((l) => l['msg'] === 'inside a request')[0]).toMatchObject({ requestId: 'r-principal', principal: 'ci-pipeline' });
  });

  it('keeps the tokens in force when the file turns invalid, and says so', async () => {
    const version = path.join(dir, '..broken');
    fs.mkdirSync(version);
    fs.writeFileSync(path.join(version, 'auth-tokens.json'), '[{"name": "ci-pipeline", "token": "');
    fs.symlinkSync('..broken', path.join(dir, '..data_tmp'));
    fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    for (let i = 0; i < 100 && !svc.logs.find((l) => String(l['msg']).startsWith('auth tokens file is invalid')).length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(svc.logs.find((l) => String(l['msg']).startsWith('auth tokens file is invalid'))).toHaveLength(1);
    expect((await get(svc, ci.token)).status).toBe(200);
  });

  it('refuses to start with both AUTH_TOKENS and AUTH_TOKENS_FILE, or a file that is not there', async () => {
    await expect(startTestService(def, ThingsModule, { env: { AUTH_TOKENS: JSON.stringify([reader]), AUTH_TOKENS_FILE: path.join(dir, 'auth-tokens.json') } })).rejects.toThrow(
      /AUTH_TOKENS_FILE and AUTH_TOKENS are both set/,
    );
    await expect(startTestService(def, ThingsModule, { env: { AUTH_TOKENS_FILE: path.join(dir, 'missing.json') } })).rejects.toThrow(/AUTH_TOKENS_FILE cannot be read \(ENOENT/);
  });
});

describe('an embedded service with a tokens file', () => {
  it('is closed even while the file holds no token', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-tokens-'));
    writeSecret(dir, []);
    const svc = await startTestService(def, ThingsModule, { env: { AUTH_TOKENS_FILE: path.join(dir, 'auth-tokens.json') } });
    try {
      const res = await callService(svc, 'GET', '/v1/things');
      expect([res.status, res.json['code']]).toEqual([401, ErrorCode.UNAUTHENTICATED]);
    } finally {
      await svc.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
