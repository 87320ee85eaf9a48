import { useEffect, useMemo, useState } from 'react';
import { seg } from '../api';
import { ChartCanvas } from '../charts/chart';
import { calibrationChart, curvesChart } from '../charts/run-charts';
import { ErrorBox, Loading, Section } from '../components';
import { duration, num, when } from '../format';
import { LOWER_IS_BETTER, primaryMetricOf, type TrainingRun } from '../registry-types';
import { Link } from '../router';
import { useCan } from '../session';
import { registry } from '../platform';
import { useCall } from '../use-api';

const SCORES = ['candidate', 'baseline', 'champion', 'reference', 'train'];

/** How did a run train (curves), how calibrated is its model, and what did the gate decide? */
export function RunPage({ id }: { id: string }) {
  const can = useCan();
  const readable = can('trainer', 'GET', `/v1/training-runs/${seg(id)}`);
  // A queued or running run is followed live; a finished one is read once.
  const [live, setLive] = useState(true);
  const run = useCall(readable ? `run:${id}` : null, (signal) => registry.run(id, { signal }), { refreshMs: live ? 3000 : undefined });
  useEffect(() => {
    if (run.data && !['queued', 'running'].includes(run.data.status)) setLive(false);
  }, [run.data]);
  const modelName = run.data?.model;
  const model = useCall(modelName ? `model:${modelName}` : null, (signal) => registry.model(modelName ?? '', { signal }));
  const metric = primaryMetricOf(model.data?.spec);
  const curves = useMemo(() => (run.data ? curvesChart([{ label: 'run', run: run.data }], metric) : null), [run.data, metric]);
  const calibration = useMemo(() => (run.data?.calibration?.length ? calibrationChart([{ label: 'run', run: run.data }]) : null), [run.data]);
  if (!readable) return <div className="page"><h1>Run</h1><p className="notice">Your token cannot read training runs (it needs trainer:read).</p></div>;
  const r = run.data;
  return (
    <div className="page">
      <p className="crumbs">
        <Link to="/models">Models</Link> / {r && <Link to={`/models/${seg(r.model)}`}>{r.model}</Link>} /
      </p>
      <h1>Run {id.slice(0, 8)}</h1>
      {run.error && <ErrorBox error={run.error} what="The run could not be read" />}
      {!r && !run.error && <Loading what="the run" />}
      {r && (
        <>
          <div className="facts">
            <span className={`run-${r.status}`}>
              {r.status}
              {r.status === 'running' ? ` (${Math.round(r.progress * 100)}%)` : ''}
            </span>
            <span>trigger: {r.trigger}</span>
            <span>version: {r.modelVersion === null ? '–' : <Link to={`/models/${seg(r.model)}`}>v{r.modelVersion}</Link>}</span>
            <span>started {when(r.startedAt)}</span>
            <span>took {duration(r.durationMs)}</span>
            <span>backend {r.backend ?? '–'}</span>
            <span>seed {r.seed}</span>
          </div>
          {r.error && <div className="error-box">The run failed: {r.error}</div>}
          {r.gate && (
            <p className={`gate-decision ${r.gate.promoted ? 'ok' : 'refused'}`}>
              Gate: <code>{r.gate.code}</code> {r.gate.reason}
            </p>
          )}
          <div className="grid-2">
            <Section title="Training curves">
              {curves && r.curves.length > 0 ? <ChartCanvas config={curves} label={`Loss and validation ${metric} per epoch`} /> : <p className="meta">No epochs recorded yet.</p>}
            </Section>
            <Section title="Calibration (held-out rows)">
              {calibration ? <ChartCanvas config={calibration} label="Observed rate against predicted probability" /> : <p className="meta">No calibration: only classification runs that finished have one.</p>}
            </Section>
          </div>
          <Section title="Held-out metrics">
            <MetricsTable metrics={r.metrics} primary={metric} />
          </Section>
          {r.dataset && (
            <Section title="Data">
              <dl className="facts-list">
                <dt>window</dt>
                <dd>
                  {when(r.dataset.start)} – {when(r.dataset.end)}
                </dd>
                <dt>rows</dt>
                <dd>
                  {num(r.dataset.rows)} ({num(r.dataset.trainRows)} train, {num(r.dataset.validationRows)} validation, {num(r.dataset.holdoutRows)} held out, {r.dataset.split ?? 'time'} split)
                </dd>
                <dt>fingerprint</dt>
                <dd>
                  <code>{r.dataset.fingerprint}</code>
                </dd>
                <dt>feature service version</dt>
                <dd>
                  <code>{r.featureServiceVersion ?? '–'}</code>
                </dd>
                <dt>spec, code</dt>
                <dd>
                  <code>{r.specHash.slice(0, 16)}</code>, {r.codeVersion}
                </dd>
              </dl>
            </Section>
          )}
        </>
      )}
    </div>
  );
}

/** Every score of a run side by side (candidate, baseline, champion re-scored now, reference, train). */
export function MetricsTable({ metrics, primary }: { metrics: TrainingRun['metrics']; primary: string }) {
  if (!metrics) return <p className="meta">No metrics yet.</p>;
  const columns = SCORES.filter((s) => metrics[s]);
  const names = [...new Set(columns.flatMap((c) => Object.keys(metrics[c])))].sort((a, b) => (a === primary ? -1 : b === primary ? 1 : a.localeCompare(b)));
  return (
    <table className="table" aria-label="Held-out metrics">
      <thead>
        <tr>
          <th>metric</th>
          {columns.map((c) => (
            <th key={c} className="num">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {names.map((n) => (
          <tr key={n} className={n === primary ? 'primary' : undefined}>
            <td>
              {n}
              {LOWER_IS_BETTER.has(n) ? ' ↓' : n === 'rows' ? '' : ' ↑'}
            </td>
            {columns.map((c) => (
              <td key={c} className="num">
                {num(metrics[c][n])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
