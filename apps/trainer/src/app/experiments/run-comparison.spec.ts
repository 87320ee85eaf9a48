import type { ModelSpec } from '@mlp/contracts';
import { ORDER_WITHIN_7D_SPEC } from '../test-fixtures/model-spec-fixtures';
import type { RunRow } from '../training-runs/run-queue';
import { compareRuns } from './run-comparison';

const run = (id: string, algorithm: ModelSpec['algorithm'], over: Partial<RunRow> = {}): RunRow =>
  ({
    id,
    model: 'm',
    status: 'succeeded',
    trial: true,
    search_id: 's',
    spec: { ...ORDER_WITHIN_7D_SPEC, algorithm },
    spec_hash: 'h',
    seed: 7,
    backend: 'cpu',
    code_version: '0.1.0',
    dataset: { fingerprint: 'sha256:x' },
    metrics: { validation: { auc: 0.7, log_loss: 0.5 }, train: { auc: 0.8 } },
    cross_validation: null,
    curves: [{ epoch: 1, loss: 0.6 }],
    model_version: null,
    gate: null,
    ...over,
  }) as unknown as RunRow;

describe('run comparison', () => {
  const base = { kind: 'mlp' as const, hiddenUnits: [16], dropout: 0.2, epochs: 20, batchSize: 64, learningRate: 0.01 };

  it('names exactly the settings that differ, arrays compared whole, and keeps the order asked', () => {
    const out = compareRuns([run('b', { ...base, hiddenUnits: [32, 16] }), run('a', { ...base, learningRate: 0.001 }), run('c', base)]);
    expect(out.runs.map((r) => r.id)).toEqual(['b', 'a', 'c']);
    expect(out.differences).toEqual(['algorithm.hiddenUnits', 'algorithm.learningRate']);
  });

  it('counts a parameter one run lacks as a difference, and compares seed, backend and data', () => {
    const out = compareRuns([run('a', { ...base, l2: 0.01 }), run('b', base, { seed: 8, backend: 'wasm', dataset: { fingerprint: 'sha256:y' } as RunRow['dataset'] })]);
    expect(out.differences).toEqual(['algorithm.l2', 'backend', 'dataFingerprint', 'seed']);
  });

  it('lists the metrics every run has, for a table', () => {
    const out = compareRuns([run('a', base), run('b', base, { metrics: { validation: { auc: 0.71 }, candidate: { auc: 0.7 } } })]);
    expect(out.commonMetrics).toEqual(['validation.auc']);
    expect(out.runs[1].metrics?.['candidate']?.['auc']).toBe(0.7);
  });
});
