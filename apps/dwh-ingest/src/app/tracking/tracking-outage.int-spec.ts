import { spawnEmbeddedPostgres } from '@mlp/runtime';
import { callService, freePort, startTestService } from '@mlp/service-kit/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { applyTrackingPlan, trackMessage } from '../test-support';

describe('tracking during a PostgreSQL outage', () => {
  it('answers 503 (never 500) to every waiting request while PostgreSQL is down and recovers without a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dwh-outage-'));
    const port = await freePort();
    let pg = await spawnEmbeddedPostgres(dir, port, 'outage');
    const svc = await startTestService(service, AppModule, {
      db: { name: 'outage', url: pg.url, drop: async () => undefined },
      env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0' },
    });
    try {
      await applyTrackingPlan(svc);
      expect((await callService(svc, 'POST', '/v1/track', trackMessage())).status).toBe(200);
      await pg.stop();
      const down = await callService(svc, 'POST', '/v1/batch', { batch: [trackMessage()] });
      expect([down.status, down.json['code']]).toEqual([503, 'DEPENDENCY_UNAVAILABLE']);
      // Concurrent requests queue behind each other's group write: every one of them gets its 503.
      const batches = Array.from({ length: 6 }, () => Array.from({ length: 60 }, () => trackMessage()));
      const waiting = await Promise.all(batches.map((batch) => callService(svc, 'POST', '/v1/batch', { batch })));
      expect(waiting.map((r) => [r.status, r.json['code']])).toEqual(Array(6).fill([503, 'DEPENDENCY_UNAVAILABLE']));
      expect((await callService(svc, 'GET', '/v1/failed-events')).status).toBe(503);
      expect((await callService(svc, 'POST', '/v1/transformations/run', {})).status).toBe(503);
      pg = await spawnEmbeddedPostgres(dir, port, 'outage');
      const retry = trackMessage();
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        status = (await callService(svc, 'POST', '/v1/track', retry)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
      // Healed: the same concurrent requests, retried, all land.
      const healed = await Promise.all(batches.map((batch) => callService(svc, 'POST', '/v1/batch', { batch })));
      expect(healed.map((r) => [r.status, r.json['accepted']])).toEqual(Array(6).fill([200, 60]));
      expect(svc.logs.find((l) => l['level'] === 50 && String(l['msg']).includes('request failed'))).toEqual([]);
    } finally {
      await svc.close();
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});
