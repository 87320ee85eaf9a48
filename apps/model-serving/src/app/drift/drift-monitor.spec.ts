import type { BaselineHistogram } from '@mlp/contracts';
import { createLogger } from '@mlp/runtime';
import { MetricsService, type PlatformConfig } from '@mlp/service-kit';
import { baselineArtifact, registryEntry } from '../../testing/model-fixtures';
import { ServingMetrics } from '../metrics/serving-metrics';
import { LoadedModel } from '../models/loaded-model';
import { composeBaseline, type ComposedBaseline } from './baseline-sources';
import type { DriftAlerts } from './drift-alerts';
import type { DriftBaselines } from './drift-baselines';
import { DriftMonitor } from './drift-monitor';
import { baselineFromPreprocessing } from './psi-drift';

// The monitor with its two neighbours played by stand-ins that record what it asks of them: the
// baselines it measures against (and their change notices), and the alerts it raises.
const config = { env: { DRIFT_WINDOW: 200, DRIFT_MIN_OBSERVATIONS: 100, DRIFT_WARN_PSI: 0.1, DRIFT_ALERT_PSI: 0.25, DRIFT_CHECK_INTERVAL_MS: 60_000 } } as unknown as PlatformConfig;

/** PSI of 150 values all in the top decile of a 10-bin baseline of 10% each, by hand (empty bins count as 1e-4). */
const ALL_IN_TOP_DECILE = 9 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1) + (1 - 0.1) * Math.log(1 / 0.1);

function standIns() {
  const listeners: Array<(model: string, version: number) => void> = [];
  const explicit = new Map<string, BaselineHistogram[]>();
  const retried: string[] = [];
  const raised: Array<{ model: string; version: number; breached: Array<{ feature: string; psi: number }> }> = [];
  const baselines = {
    of: (m: LoadedModel): ComposedBaseline => composeBaseline({ explicit: explicit.get(`${m.name}@${m.version}`), preprocessing: baselineFromPreprocessing(m.artifact.preprocessing) }),
    onChange: (l: (model: string, version: number) => void) => listeners.push(l),
    retryFeatureStore: (m: LoadedModel) => retried.push(`${m.name}@${m.version}`),
    setExplicit(m: LoadedModel, histograms: BaselineHistogram[]) {
      explicit.set(`${m.name}@${m.version}`, histograms);
      for (const l of listeners) l(m.name, m.version);
    },
  };
  const alerts = {
    raise: async (m: { name: string; version: number }, breached: Array<{ feature: string; psi: number }>) => {
      raised.push({ model: m.name, version: m.version, breached: [...breached] });
      return breached.length > 0;
    },
  };
  const metrics = new ServingMetrics(new MetricsService());
  const monitor = new DriftMonitor(baselines as unknown as DriftBaselines, alerts as unknown as DriftAlerts, metrics, config, createLogger('drift-monitor-test', 'silent'));
  return { monitor, baselines, metrics, retried, raised };
}

/** n rows with orders far above the training fit (mean 2, std 1.5), revenue missing, plan `plan`. */
const columns = (n: number, plan = 'pro') => [new Array(n).fill(40), new Array(n).fill(null), new Array(n).fill(plan)];

describe('drift monitor', () => {
  let v1: LoadedModel;
  let v2: LoadedModel;

  beforeEach(async () => {
    v1 = await LoadedModel.load(registryEntry(baselineArtifact('churn', 1)));
    v2 = await LoadedModel.load(registryEntry(baselineArtifact('churn', 2)));
  });

  it('measures PSI of observed inputs against the version baseline, naming its sources', () => {
    const { monitor } = standIns();
    monitor.observe(v1, columns(150), 150);
    const report = monitor.report(v1);
    expect(report).toMatchObject({ model: 'churn', version: 1, baseline: 'preprocessing', window: 200, warnThreshold: 0.1, driftThreshold: 0.25 });
    // The categorical plan has no baseline without an explicit one; revenue was missing (not an observation).
    expect(report.features.map((f) => [f.feature, f.status, f.observations, f.source])).toEqual([
      ['user_activity:orders_7d', 'drift', 150, 'preprocessing'],
      ['user_activity:revenue_7d', 'insufficient_data', 0, 'preprocessing'],
    ]);
    expect(report.features[0].psi).toBeCloseTo(ALL_IN_TOP_DECILE, 9);
    expect(monitor.report(v2).features[0].observations).toBe(0); // each version has its own window
  });

  it('starts a version afresh when its baseline changes, and only that version', () => {
    const { monitor, baselines } = standIns();
    monitor.observe(v1, columns(150), 150);
    monitor.observe(v2, columns(150), 150);
    baselines.setExplicit(v1, [{ feature: 'user_profile:plan', kind: 'categorical', proportions: { free: 0.5, plus: 0.3, pro: 0.2, __other__: 0 } }]);
    expect(monitor.report(v1)).toMatchObject({ baseline: 'explicit', features: [{ feature: 'user_profile:plan', observations: 0, source: 'explicit', status: 'insufficient_data' }] });
    expect(monitor.report(v2).features[0].observations).toBe(150);
    monitor.observe(v1, columns(120, 'pro'), 120);
    expect(monitor.report(v1).features[0]).toMatchObject({ observations: 120, status: 'drift' });
  });

  it('checks every watched version: gauges, a retry of missing feature-store baselines, alerts for breaches', async () => {
    const { monitor, metrics, retried, raised } = standIns();
    monitor.observe(v1, columns(150), 150);
    monitor.observe(v2, columns(50), 50); // not enough to judge
    expect(await monitor.check()).toBe(1);
    expect(retried.sort()).toEqual(['churn@1', 'churn@2']);
    expect(raised).toEqual([
      { model: 'churn', version: 1, breached: [{ feature: 'user_activity:orders_7d', psi: monitor.report(v1).features[0].psi }] },
      { model: 'churn', version: 2, breached: [] },
    ]);
    const gauges = (await metrics.psi.get()).values.map((v) => [v.labels.version, v.labels.feature, v.value]);
    expect(gauges).toEqual([['1', 'user_activity:orders_7d', monitor.report(v1).features[0].psi]]);
  });

  it('forgets a version once it is disposed', async () => {
    const { monitor, retried, raised } = standIns();
    monitor.observe(v1, columns(150), 150);
    monitor.observe(v2, columns(150), 150);
    v1.retire(); // nothing in flight: disposed at once
    expect(v1.isDisposed).toBe(true);
    expect(await monitor.check()).toBe(1);
    expect(retried).toEqual(['churn@2']);
    expect(raised.map((r) => r.version)).toEqual([2]);
  });
});
