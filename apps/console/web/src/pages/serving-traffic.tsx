import type { ChartConfiguration } from 'chart.js';
import { useMemo, useState, type FormEvent } from 'react';
import type { TrafficPolicy, TrafficStats } from '@mlp/client';
import { asApiError, seg } from '../api';
import { ChartCanvas, COLORS } from '../charts/chart';
import { ErrorBox, Loading, Section } from '../components';
import { num, pct } from '../format';
import { useCan } from '../session';
import { predictions } from '../platform';
import { useCall } from '../use-api';
import { MoveAliasDialog, type Move } from './model';

/** The ranges offered, each with a bucket that keeps the chart readable (60 to 168 points). */
const RANGES = [
  { label: 'last hour', hours: 1, bucket: 60 },
  { label: '6 hours', hours: 6, bucket: 300 },
  { label: '24 hours', hours: 24, bucket: 900 },
  { label: '7 days', hours: 168, bucket: 3600 },
] as const;

const clock = (iso: string, days: boolean) => {
  const d = new Date(iso);
  const hm = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return days ? `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${hm}` : hm;
};

/** Requests per second with the error rate, and latency percentiles, per time bucket over every replica. */
export function TrafficCharts({ model }: { model: string }) {
  const [range, setRange] = useState<(typeof RANGES)[number]>(RANGES[0]);
  // `from` is fixed when a range is picked (a path that changes every render would reload forever); `to` is now on each refresh.
  const [from, setFrom] = useState<string | undefined>(undefined);
  const stats = useCall(`traffic-stats:${model}:${from ?? ''}:${range.bucket}`, (signal) => predictions.trafficStats(model, { from, bucket: range.bucket }, { signal }), { refreshMs: 15000 });
  const pick = (label: string) => {
    const next = RANGES.find((r) => r.label === label) ?? RANGES[0];
    setRange(next);
    setFrom(next.hours === 1 ? undefined : new Date(Date.now() - next.hours * 3_600_000).toISOString());
  };
  const charts = useMemo(() => (stats.data ? trafficCharts(stats.data, range.hours > 24) : null), [stats.data, range.hours]);
  const total = stats.data?.points.reduce((n, p) => n + p.requests, 0) ?? 0;
  const errors = stats.data?.points.reduce((n, p) => n + p.errors, 0) ?? 0;
  return (
    <Section
      title="Traffic over time"
      id="traffic"
      actions={
        <select aria-label="Time range" value={range.label} onChange={(e) => pick(e.target.value)}>
          {RANGES.map((r) => (
            <option key={r.label}>{r.label}</option>
          ))}
        </select>
      }
    >
      {stats.error && <ErrorBox error={stats.error} what="No traffic statistics" />}
      {!stats.data && !stats.error && <Loading what="traffic" />}
      {stats.data && charts && (
        <>
          <p className="meta" data-testid="traffic-summary">
            {num(total)} requests, {num(errors)} server errors ({total === 0 ? '–' : pct(errors / total, 2)}) in {stats.data.points.length} buckets of {stats.data.bucketSeconds / 60} min, all replicas; latency is the model&apos;s time, percentiles within {pct(stats.data.latencyRelativeError, 1)}.
          </p>
          <div className="grid-2">
            <ChartCanvas config={charts.rate} label="Requests per second and server error rate over time" />
            <ChartCanvas config={charts.latency} label="Model latency percentiles over time (ms)" />
          </div>
        </>
      )}
    </Section>
  );
}

function trafficCharts(stats: TrafficStats, days: boolean): { rate: ChartConfiguration<'line'>; latency: ChartConfiguration<'line'> } {
  const labels = stats.points.map((p) => clock(p.start, days));
  // Points big enough to see when traffic fell in a single bucket (no line to draw then); gaps stay gaps.
  const line = (label: string, data: Array<number | null>, color: string, yAxisID = 'y', pointRadius = 2) => ({ label, data, borderColor: color, backgroundColor: color, pointRadius, borderWidth: 2, spanGaps: false, yAxisID });
  return {
    rate: {
      type: 'line',
      data: {
        labels,
        datasets: [
          line('requests / s', stats.points.map((p) => p.ratePerSecond), COLORS[0]),
          line('error rate', stats.points.map((p) => (p.errorRate === undefined ? null : p.errorRate * 100)), COLORS[4], 'y1'),
        ],
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          y: { beginAtZero: true, title: { display: true, text: 'requests / s' } },
          y1: { beginAtZero: true, position: 'right', suggestedMax: 1, grid: { drawOnChartArea: false }, title: { display: true, text: 'server errors %' } },
        },
      },
    },
    latency: {
      type: 'line',
      data: {
        labels,
        datasets: (['p50', 'p95', 'p99'] as const).map((q, i) => line(q, stats.points.map((p) => p.latencyMs?.[q] ?? null), COLORS[i + 1], 'y', 4)),
      },
      options: { interaction: { mode: 'index', intersect: false }, scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } } },
    },
  };
}

/**
 * The traffic policy, editable with serving:admin: canary share, sticky key and shadow through
 * model-serving's `PUT /v1/models/{m}/traffic-policy`. Making the challenger champion is the
 * trainer's audited alias move (admin), with a required reason, as on the model's page.
 */
export function TrafficPolicyPanel({ model, policy, challenger, champion, onChanged }: { model: string; policy: TrafficPolicy; challenger: number | null; champion: number | null; onChanged: () => void }) {
  const can = useCan();
  const policyPath = `/v1/models/${seg(model)}/traffic-policy`;
  const mayEdit = can('model-serving', 'PUT', policyPath);
  const mayPromote = can('trainer', 'POST', `/v1/models/${seg(model)}/aliases`);
  const [editing, setEditing] = useState(false);
  const [canary, setCanary] = useState(String(Math.round(policy.canaryWeight * 100)));
  const [shadow, setShadow] = useState(policy.shadow);
  const [stickyKey, setStickyKey] = useState(policy.stickyKey);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [move, setMove] = useState<Move | null>(null);
  const canaryPercent = Number(canary);
  const canaryValid = canary.trim() !== '' && Number.isFinite(canaryPercent) && canaryPercent >= 0 && canaryPercent <= 100;

  const start = () => {
    setCanary(String(Math.round(policy.canaryWeight * 1000) / 10));
    setShadow(policy.shadow);
    setStickyKey(policy.stickyKey);
    setError(null);
    setEditing(true);
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!canaryValid) return;
    setBusy(true);
    setError(null);
    try {
      await predictions.setTrafficPolicy(model, { canaryWeight: canaryPercent / 100, shadow, stickyKey });
      setEditing(false);
      onChanged();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {!editing && (
        <>
          <dl className="facts-list" aria-label="Traffic policy">
            <dt>canary weight</dt>
            <dd data-testid="canary-weight">{pct(policy.canaryWeight, 0)} of sticky keys to the challenger</dd>
            <dt>sticky key</dt>
            <dd>{policy.stickyKey}</dd>
            <dt>shadow</dt>
            <dd data-testid="shadow">{policy.shadow ? 'on: the challenger scores every request, the champion answers' : 'off'}</dd>
            <dt>batching</dt>
            <dd>{policy.maxBatchDelayMs === 0 ? 'off' : `up to ${policy.maxBatchSize} rows or ${policy.maxBatchDelayMs} ms`}</dd>
          </dl>
          <div className="dialog-actions">
            {mayPromote && challenger !== null && (
              <button type="button" className="secondary" onClick={() => setMove({ alias: 'champion', version: challenger, kind: 'promote' })}>
                Make challenger v{challenger} champion
              </button>
            )}
            <button type="button" onClick={start} disabled={!mayEdit} title={mayEdit ? undefined : 'needs the serving:admin scope'}>
              Edit traffic policy
            </button>
          </div>
          {!mayEdit && <p className="meta">Changing the policy needs a token with serving:admin.</p>}
        </>
      )}
      {editing && (
        <form onSubmit={(e) => void save(e)} className="dialog-form" aria-label="Edit traffic policy">
          <label htmlFor="canary-weight">Canary share to the challenger (%)</label>
          <input id="canary-weight" type="number" min={0} max={100} step={0.1} value={canary} onChange={(e) => setCanary(e.target.value)} aria-invalid={!canaryValid || undefined} />
          {challenger === null && canaryPercent > 0 && <p className="meta">{model} has no challenger: the champion{champion === null ? '' : ` v${champion}`} keeps answering every request until one is set.</p>}
          <label htmlFor="sticky-key">Sticky key</label>
          <select id="sticky-key" value={stickyKey} onChange={(e) => setStickyKey(e.target.value as TrafficPolicy['stickyKey'])}>
            <option value="entity">entity (parameters.sticky_key)</option>
            <option value="header">header (x-sticky-key)</option>
          </select>
          <label>
            <input type="checkbox" checked={shadow} onChange={(e) => setShadow(e.target.checked)} /> Shadow: score the challenger on every request, answer with the champion
          </label>
          {error && <ErrorBox error={error} what="Not changed" />}
          <div className="dialog-actions">
            <button type="button" className="secondary" onClick={() => setEditing(false)}>
              Cancel
            </button>
            <button type="submit" disabled={busy || !canaryValid}>
              Save policy
            </button>
          </div>
        </form>
      )}
      <MoveAliasDialog
        model={model}
        move={move}
        current={{ champion, challenger }}
        onClose={() => setMove(null)}
        onMoved={() => {
          setMove(null);
          onChanged();
        }}
      />
    </>
  );
}
