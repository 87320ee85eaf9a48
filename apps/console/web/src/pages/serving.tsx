import type { ChartConfiguration } from 'chart.js';
import { useMemo, useState, type FormEvent } from 'react';
import { randomId, type DriftReport, type InferResponse } from '@mlp/client';
import { ApiError, asApiError, seg } from '../api';
import { ChartCanvas } from '../charts/chart';
import { calibrationChart } from '../charts/run-charts';
import { ErrorBox, Loading, Section } from '../components';
import { num, pct } from '../format';
import { Link } from '../router';
import { useCan } from '../session';
import { predictions, registry } from '../platform';
import { useCall } from '../use-api';
import { buildInferRequest, fieldKind, fieldText } from '../v2-request';
import { DriftOverTime } from './serving-drift-history';
import { TrafficCharts, TrafficPolicyPanel } from './serving-traffic';

/** What is served, under which traffic policy? */
export function ServingPage() {
  const served = useCall('served-models', (signal) => predictions.servedModels({ signal }), { refreshMs: 15000 });
  return (
    <div className="page">
      <h1>Serving</h1>
      {served.error && <ErrorBox error={served.error} what="model-serving could not be read" />}
      {!served.data && !served.error && <Loading what="served models" />}
      {served.data && (
        <>
          <p className="meta">{served.data.ready ? 'Every champion is loaded.' : 'Not ready: a champion is still loading.'}</p>
          <table className="table" aria-label="Served models">
            <thead>
              <tr>
                <th>model</th>
                <th>champion</th>
                <th>challenger</th>
                <th>canary</th>
                <th>shadow</th>
                <th>problem</th>
              </tr>
            </thead>
            <tbody>
              {served.data.models.map((m) => (
                <tr key={m.name}>
                  <td>
                    <Link to={`/serving/${seg(m.name)}`}>{m.name}</Link>
                  </td>
                  <td>{versionCell(m.champion, m.wanted?.champion)}</td>
                  <td>{versionCell(m.challenger, m.wanted?.challenger)}</td>
                  <td>{m.policy ? pct(m.policy.canaryWeight, 0) : '–'}</td>
                  <td>{m.policy?.shadow ? 'on' : 'off'}</td>
                  <td className="refused">{m.lastError ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function versionCell(loaded: number | null, wanted: number | null | undefined) {
  if (loaded === null && (wanted === null || wanted === undefined)) return '–';
  if (wanted !== undefined && wanted !== loaded) return `v${loaded ?? '–'} (loading v${wanted})`;
  return `v${loaded}`;
}

/** One served model: its traffic, its input drift against the training baseline, live quality, and a real request. */
export function ServingModelPage({ model }: { model: string }) {
  const served = useCall('served-models', (signal) => predictions.servedModels({ signal }), { refreshMs: 15000 });
  const policy = useCall(`traffic-policy:${model}`, (signal) => predictions.trafficPolicy(model, { signal }));
  const drift = useCall(`drift:${model}`, (signal) => predictions.drift(model, { signal }), { refreshMs: 10000 });
  const quality = useCall(`live-quality:${model}`, (signal) => predictions.liveQuality(model, {}, { signal }));
  // A model whose project declares no outcome has no live quality: said plainly, not as an error.
  const noOutcome = quality.error instanceof ApiError && quality.error.code === 'NO_OUTCOME';
  const status = served.data?.models.find((m) => m.name === model);
  const measured = drift.data?.features.some((f) => f.psi !== null) ?? false;
  const driftChart = useMemo(() => (drift.data && measured ? psiChart(drift.data) : null), [drift.data, measured]);
  // Live reliability diagram per version and arm, once labelled predictions have calibration bins.
  const liveCalibration = useMemo(() => {
    const groups = (quality.data?.groups ?? []).filter((g) => (g.calibration?.length ?? 0) > 0);
    const labelled = groups.map((g) => ({ label: `v${g.version} ${g.arm}`, run: { curves: [], calibration: g.calibration ?? [] } }));
    return groups.length ? calibrationChart(labelled, `${labelled[0]?.label} live predictions`) : null;
  }, [quality.data]);
  return (
    <div className="page">
      <p className="crumbs">
        <Link to="/serving">Serving</Link> /
      </p>
      <h1>{model}</h1>
      {status && (
        <div className="facts">
          <span>champion {versionCell(status.champion, status.wanted?.champion)}</span>
          <span>challenger {versionCell(status.challenger, status.wanted?.challenger)}</span>
          {status.pinned && status.pinned.length > 0 && <span>pinned {status.pinned.map((v) => `v${v}`).join(', ')}</span>}
          <Link to={`/models/${seg(model)}`}>registry →</Link>
        </div>
      )}
      {status?.lastError && <div className="error-box">A version was refused: {status.lastError}</div>}
      {served.data && !status && <p className="notice">model-serving does not serve {model}.</p>}

      <TrafficCharts model={model} />
      <div className="grid-2">
        <Section title="Input drift (PSI per feature)">
          {drift.error && <ErrorBox error={drift.error} />}
          {!drift.data && !drift.error && <Loading what="drift" />}
          {drift.data && (
            <>
              <p className="meta">
                v{drift.data.version} against its {drift.data.baseline} baseline, last {num(drift.data.window)} observations per feature; warn at {drift.data.warnThreshold}, drift at {drift.data.driftThreshold}.
              </p>
              {driftChart ? (
                <ChartCanvas config={driftChart} label="Population stability index per input feature" />
              ) : (
                <p className="notice">No PSI yet: each feature needs enough live predictions of v{drift.data.version} (most so far: {Math.max(0, ...drift.data.features.map((f) => f.observations))}).</p>
              )}
              <table className="table compact" aria-label="Drift per feature">
                <thead>
                  <tr>
                    <th>feature</th>
                    <th className="num">PSI</th>
                    <th className="num">observations</th>
                    <th>status</th>
                  </tr>
                </thead>
                <tbody>
                  {drift.data.features.map((f) => (
                    <tr key={f.feature}>
                      <td>{f.feature}</td>
                      <td className="num">{num(f.psi, 3)}</td>
                      <td className="num">{num(f.observations)}</td>
                      <td className={`drift-${f.status}`}>{f.status.replace(/_/g, ' ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <DriftOverTime model={model} />
            </>
          )}
        </Section>
        <Section title="Traffic policy">
          {policy.error && <ErrorBox error={policy.error} />}
          {policy.data && (
            <TrafficPolicyPanel
              model={model}
              policy={policy.data}
              champion={status?.champion ?? null}
              challenger={status?.challenger ?? null}
              onChanged={() => {
                policy.reload();
                served.reload();
              }}
            />
          )}
          <h3>Live quality</h3>
          {noOutcome && (
            <p className="meta">No outcome labels this model&apos;s predictions: its project declares one with the model spec (outcome:) to measure live quality.</p>
          )}
          {quality.error && !noOutcome && <ErrorBox error={quality.error} />}
          {quality.data && (
            <p className="meta">
              Labelled by {quality.data.label}
              {quality.data.outcome?.horizon ? ` within ${quality.data.outcome.horizon}` : ''}
              {quality.data.outcome ? ` (project ${quality.data.outcome.project})` : ''}; labels refreshed {quality.data.martUpdatedAt ?? 'not yet'}.
            </p>
          )}
          {quality.data && quality.data.groups.length === 0 && <p className="meta">No entity-keyed predictions in the last {quality.data.windowHours} h with known outcomes yet.</p>}
          {quality.data && quality.data.groups.length > 0 && quality.data.labelKind !== 'numeric' && (
            <table className="table compact" aria-label="Live quality">
              <thead>
                <tr>
                  <th>version</th>
                  <th>arm</th>
                  <th className="num">predictions</th>
                  <th className="num">labelled</th>
                  <th className="num">AUC</th>
                  <th className="num">log loss</th>
                </tr>
              </thead>
              <tbody>
                {quality.data.groups.map((g) => (
                  <tr key={`${g.version}-${g.arm}`}>
                    <td>v{g.version}</td>
                    <td>{g.arm}</td>
                    <td className="num">{num(g.predictions)}</td>
                    <td className="num">{num(g.labelled)}</td>
                    <td className="num">{num(g.auc)}</td>
                    <td className="num">{num(g.logLoss)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {liveCalibration && quality.data?.labelKind !== 'numeric' && <ChartCanvas config={liveCalibration} label="Live calibration: observed rate against mean predicted probability" size="small" />}
          {quality.data && quality.data.groups.length > 0 && quality.data.labelKind === 'numeric' && (
            <table className="table compact" aria-label="Live quality">
              <thead>
                <tr>
                  <th>version</th>
                  <th>arm</th>
                  <th className="num">predictions</th>
                  <th className="num">labelled</th>
                  <th className="num">RMSE</th>
                  <th className="num">MAE</th>
                </tr>
              </thead>
              <tbody>
                {quality.data.groups.map((g) => (
                  <tr key={`${g.version}-${g.arm}`}>
                    <td>v{g.version}</td>
                    <td>{g.arm}</td>
                    <td className="num">{num(g.predictions)}</td>
                    <td className="num">{num(g.labelled)}</td>
                    <td className="num">{num(g.rmse ?? null)}</td>
                    <td className="num">{num(g.mae ?? null)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      </div>
      <TryIt model={model} />
    </div>
  );
}

/** PSI per feature as bars (coloured by status) under the warn and drift thresholds. */
function psiChart(report: DriftReport): ChartConfiguration<'bar'> {
  const color = (s: string) => (s === 'drift' ? '#dc2626' : s === 'warn' ? '#d97706' : s === 'ok' ? '#059669' : '#9ca3af');
  return {
    type: 'bar',
    data: {
      labels: report.features.map((f) => f.feature),
      datasets: [{ label: 'PSI', data: report.features.map((f) => f.psi ?? 0), backgroundColor: report.features.map((f) => color(f.status)) }],
    },
    options: {
      plugins: {
        legend: { display: false },
        referenceLines: { lines: [{ label: `warn ${report.warnThreshold}`, y: report.warnThreshold }, { label: `drift ${report.driftThreshold}`, y: report.driftThreshold }] },
      },
      scales: { y: { beginAtZero: true, suggestedMax: report.driftThreshold * 1.15, title: { display: true, text: 'PSI' } } },
    },
  };
}

/**
 * A form built from the model's V2 metadata (its raw features, typed as declared) that sends a real
 * Open Inference Protocol request through the console to model-serving. A held-out row of the run
 * that trained the served version can fill it, with the trainer's own score to compare.
 */
function TryIt({ model }: { model: string }) {
  const can = useCan();
  const inferPath = `/v2/models/${seg(model)}/infer`;
  const mayPredict = can('model-serving', 'POST', inferPath);
  const meta = useCall(`v2-metadata:${model}`, (signal) => predictions.metadata(model, { signal }));
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [trainerScore, setTrainerScore] = useState<number | null>(null);
  const [result, setResult] = useState<{ body: InferResponse; requestId: string | null; ms: number } | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const version = meta.data?.parameters?.['version'];

  const fillFromHoldout = async () => {
    setFailure(null);
    try {
      const v = await registry.version(model, Number(version));
      if (!v.runId) throw new Error(`v${version} has no training run to take a row from`);
      const page = await registry.holdoutPredictions(v.runId, { limit: 1, offset: Math.floor(Math.random() * 50) });
      const row = page.rows[0];
      if (!row) throw new Error('the run kept no held-out rows');
      setValues(Object.fromEntries((meta.data?.inputs ?? []).map((i) => [i.name, fieldText(row.features[i.name])])));
      setTrainerScore(row.score);
      setErrors({});
      setResult(null);
    } catch (err) {
      setFailure(asApiError(err));
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!meta.data) return;
    const built = buildInferRequest(meta.data, values, `console-try-${Date.now().toString(36)}`);
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    setFailure(null);
    try {
      // The request id goes out with the call (the console and serving log under it), so it can be shown.
      const requestId = randomId();
      const started = performance.now();
      const body = await predictions.infer(model, built.request, { requestId });
      setResult({ body, requestId, ms: performance.now() - started });
    } catch (err) {
      setResult(null);
      setFailure(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const set = (name: string, value: string) => {
    setValues((v) => ({ ...v, [name]: value }));
    setTrainerScore(null);
  };
  const output = result?.body.outputs[0];
  return (
    <Section
      title="Try it: a real V2 request"
      id="try-it"
      actions={
        version !== undefined && can('trainer', 'GET', `/v1/training-runs/x/holdout-predictions`) ? (
          <button type="button" className="secondary" onClick={() => void fillFromHoldout()}>
            Fill with a held-out row
          </button>
        ) : undefined
      }
    >
      {meta.error && <ErrorBox error={meta.error} what="No V2 metadata" />}
      {!meta.data && !meta.error && <Loading what="the model's signature" />}
      {meta.data && (
        <form onSubmit={(e) => void submit(e)} className="try-it" aria-label="V2 inference request">
          <p className="meta">
            POST /v2/models/{model}/infer, one row, v{String(version ?? '?')} ({meta.data.platform}). An empty field is a missing value, filled as in training.
          </p>
          <div className="fields">
            {meta.data.inputs.map((input) => {
              const kind = fieldKind(input.datatype);
              const id = `in-${input.name}`;
              return (
                <div key={input.name} className={`field${errors[input.name] ? ' invalid' : ''}`}>
                  <label htmlFor={id}>
                    {input.name} <span className="meta">{input.datatype}</span>
                  </label>
                  {kind === 'boolean' ? (
                    <select id={id} name={input.name} value={values[input.name] ?? ''} onChange={(e) => set(input.name, e.target.value)}>
                      <option value="">(missing)</option>
                      <option value="true">true</option>
                      <option value="false">false</option>
                    </select>
                  ) : (
                    <input
                      id={id}
                      name={input.name}
                      type="text"
                      inputMode={kind === 'integer' ? 'numeric' : kind === 'number' ? 'decimal' : 'text'}
                      value={values[input.name] ?? ''}
                      onChange={(e) => set(input.name, e.target.value)}
                      placeholder="(missing)"
                      aria-invalid={errors[input.name] ? true : undefined}
                    />
                  )}
                  {errors[input.name] && <span className="error">{errors[input.name]}</span>}
                </div>
              );
            })}
          </div>
          <div className="dialog-actions">
            <button type="submit" disabled={!mayPredict || busy} title={mayPredict ? undefined : 'needs the serving:predict scope'}>
              Send request
            </button>
          </div>
          {!mayPredict && <p className="meta">Sending needs a token with serving:predict.</p>}
        </form>
      )}
      {failure && <ErrorBox error={failure} what="The request failed" />}
      {result && output && (
        <div className="infer-result" role="status" data-testid="infer-result">
          <div className="big">
            {output.name}: <strong>{typeof output.data[0] === 'number' ? (output.data[0] as number).toFixed(6) : String(output.data[0])}</strong>
          </div>
          <div className="meta">
            version {result.body.model_version}, arm {String(result.body.parameters?.['arm'] ?? '–')}, {Math.round(result.ms)} ms, request {result.requestId}
            {trainerScore !== null && <> · the trainer scored this row {trainerScore.toFixed(6)}</>}
          </div>
        </div>
      )}
    </Section>
  );
}
