import type { PredictionLogRecord } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import type { PeerClients, PlatformConfig, ServiceDefinition } from '@mlp/service-kit';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServingMetrics } from '../metrics/serving-metrics';
import type { Predictions } from './prediction-frame';
import { PredictionLogFullError } from './prediction-log-buffer';
import { PredictionLogService } from './prediction-log.service';
import { PredictionLogWriter } from './prediction-log-writer';

/** The writer with a 1 MB ring, and the log's service with no consumer started: what does not fit in the ring overflows. */
function service(dir: string, overflow: 'spill' | 'backpressure') {
  const counted: Record<string, number> = {};
  const metrics = { logRecords: { inc: (l: { outcome: string }, n: number) => (counted[l.outcome] = (counted[l.outcome] ?? 0) + n) }, logPending: { set: () => undefined } };
  const env = {
    PREDICTION_LOG_CAPACITY: 1_000_000,
    PREDICTION_LOG_OVERFLOW: overflow,
    PREDICTION_LOG_SPILL_DIR: dir,
    PREDICTION_LOG_BATCH: 250,
    PREDICTION_LOG_FLUSH_MS: 1000,
    PREDICTION_LOG_RING_MB: 1,
    PREDICTION_LOG_WORKER: false,
  };
  const log = { warn: () => undefined, error: () => undefined } as unknown as Logger;
  const config = { env } as unknown as PlatformConfig;
  const writer = new PredictionLogWriter(metrics as unknown as ServingMetrics, config);
  const svc = new PredictionLogService(writer, {} as PeerClients, { name: 'model-serving' } as ServiceDefinition, metrics as unknown as ServingMetrics, config, log);
  return { writer, svc, counted };
}

const rows = 3000;
const predictions: Predictions = {
  model: 'churn',
  version: 2,
  arm: 'champion',
  keys: ['user_activity:orders_7d', 'user_profile:plan'],
  columns: [Array.from({ length: rows }, (_, r) => r), Array.from({ length: rows }, (_, r) => `plan-${r}-${'x'.repeat(200)}`)],
  rows,
  outputs: new Float32Array(rows).map((_, r) => r / rows),
  width: 1,
  entities: Array.from({ length: rows }, (_, r) => ({ user_id: `u${r}` })),
  latencyMs: 0.25,
  predictedAtMs: Date.UTC(2026, 11, 6),
  requestId: 'overflow-1',
};

const spilled = (dir: string) =>
  fs
    .readdirSync(dir)
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as PredictionLogRecord);

describe('the prediction log when the ring is full', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plog-overflow-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('spills the rows that do not fit as the same lines the consumer writes of the ones that did', async () => {
    const { writer, svc, counted } = service(dir, 'spill');
    writer.record(predictions);
    const overflowed = spilled(dir);
    expect(overflowed.length).toBeGreaterThan(0);
    expect(overflowed.length).toBeLessThan(rows);
    expect(counted['spilled']).toBe(overflowed.length);
    await svc.onApplicationShutdown(); // the rows in the ring are written to disk by the frame reader
    const all = spilled(dir).sort((a, b) => a.inputs['user_activity:orders_7d'] as number - (b.inputs['user_activity:orders_7d'] as number));
    expect(all).toHaveLength(rows);
    all.forEach((r, i) => {
      expect(r).toEqual({
        predictionId: `${writer.processId}-${(i + 1).toString(36)}`,
        requestId: 'overflow-1',
        model: 'churn',
        version: 2,
        arm: 'champion',
        inputs: { 'user_activity:orders_7d': i, 'user_profile:plan': predictions.columns[1][i] },
        output: predictions.outputs[i],
        latencyMs: 0.25,
        predictedAt: '2026-12-06T00:00:00.000Z',
        entity: { user_id: `u${i}` },
      });
    });
  });

  it('refuses the rows that do not fit under back pressure, and counts them', () => {
    const { writer, counted } = service(dir, 'backpressure');
    expect(() => writer.record(predictions)).toThrow(PredictionLogFullError);
    expect(counted['refused']).toBeGreaterThan(0);
    expect(spilled(dir)).toEqual([]);
  });
});
