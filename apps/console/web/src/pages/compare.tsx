import { useMemo } from 'react';
import { seg } from '../api';
import { ChartCanvas } from '../charts/chart';
import { calibrationChart, curvesChart } from '../charts/run-charts';
import { ErrorBox, Loading, Section } from '../components';
import { duration, num, shortId } from '../format';
import { LOWER_IS_BETTER, primaryMetricOf, type TrainingRun } from '../registry-types';
import { Link } from '../router';
import { useCan } from '../session';
import { registry } from '../platform';
import { useCall } from '../use-api';

/** Two runs side by side: held-out metrics with the difference, curves and calibration overlaid. */
export function ComparePage({ a, b }: { a: string | null; b: string | null }) {
  const can = useCan();
  const readable = can('trainer', 'GET', '/v1/training-runs/x');
  const runA = useCall(readable && a ? `run:${a}` : null, (signal) => registry.run(a ?? '', { signal }));
  const runB = useCall(readable && b ? `run:${b}` : null, (signal) => registry.run(b ?? '', { signal }));
  const modelName = runA.data?.model;
  const model = useCall(modelName ? `model:${modelName}` : null, (signal) => registry.model(modelName ?? '', { signal }));
  const metric = primaryMetricOf(model.data?.spec);
  const both = useMemo(
    () => (runA.data && runB.data ? [{ label: `A ${shortId(runA.data.id)}`, run: runA.data }, { label: `B ${shortId(runB.data.id)}`, run: runB.data }] : null),
    [runA.data, runB.data],
  );
  const curves = useMemo(() => (both ? curvesChart(both, metric) : null), [both, metric]);
  const calibration = useMemo(() => (both && both.some((x) => x.run.calibration?.length) ? calibrationChart(both) : null), [both]);

  if (!a || !b) return <div className="page"><h1>Compare runs</h1><p>Pick two runs on a model's page to compare them.</p></div>;
  if (!readable) return <div className="page"><h1>Compare runs</h1><p className="notice">Your token cannot read training runs (it needs trainer:read).</p></div>;
  const error = runA.error ?? runB.error;
  return (
    <div className="page">
      <p className="crumbs">
        <Link to="/models">Models</Link> / {runA.data && <Link to={`/models/${seg(runA.data.model)}`}>{runA.data.model}</Link>} /
      </p>
      <h1>Compare runs</h1>
      {error && <ErrorBox error={error} what="A run could not be read" />}
      {!both && !error && <Loading what="the runs" />}
      {both && (
        <>
          <Section title="Held-out metrics (candidate)">
            <table className="table" aria-label="Metrics side by side">
              <thead>
                <tr>
                  <th>metric</th>
                  <th className="num">
                    A <Link to={`/runs/${seg(both[0].run.id)}`}>{shortId(both[0].run.id)}</Link>
                  </th>
                  <th className="num">
                    B <Link to={`/runs/${seg(both[1].run.id)}`}>{shortId(both[1].run.id)}</Link>
                  </th>
                  <th className="num">B − A</th>
                </tr>
              </thead>
              <tbody>
                <CompareRow name="model" a={both[0].run.model} b={both[1].run.model} />
                <CompareRow name="version" a={both[0].run.modelVersion === null ? '–' : `v${both[0].run.modelVersion}`} b={both[1].run.modelVersion === null ? '–' : `v${both[1].run.modelVersion}`} />
                <CompareRow name="gate" a={both[0].run.gate?.code ?? '–'} b={both[1].run.gate?.code ?? '–'} />
                <CompareRow name="training rows" a={num(both[0].run.dataset?.trainRows)} b={num(both[1].run.dataset?.trainRows)} />
                <CompareRow name="took" a={duration(both[0].run.durationMs)} b={duration(both[1].run.durationMs)} />
                {metricNames(both[0].run, both[1].run, metric).map((n) => {
                  const x = both[0].run.metrics?.candidate?.[n];
                  const y = both[1].run.metrics?.candidate?.[n];
                  const diff = x !== undefined && y !== undefined ? y - x : undefined;
                  const better = diff === undefined || diff === 0 || n === 'rows' ? '' : (diff < 0) === LOWER_IS_BETTER.has(n) ? 'better' : 'worse';
                  return (
                    <tr key={n} className={n === metric ? 'primary' : undefined}>
                      <td>{n}</td>
                      <td className="num">{num(x)}</td>
                      <td className="num">{num(y)}</td>
                      <td className={`num ${better}`}>{diff === undefined ? '–' : `${diff > 0 ? '+' : ''}${num(diff)}`}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </Section>
          <div className="grid-2">
            <Section title="Training curves, overlaid">{curves && <ChartCanvas config={curves} label="Loss per epoch of both runs" size="large" />}</Section>
            <Section title="Calibration, overlaid">{calibration ? <ChartCanvas config={calibration} label="Reliability of both runs" size="large" /> : <p className="meta">Neither run has a calibration table.</p>}</Section>
          </div>
        </>
      )}
    </div>
  );
}

function metricNames(a: TrainingRun, b: TrainingRun, primary: string): string[] {
  const names = new Set([...Object.keys(a.metrics?.candidate ?? {}), ...Object.keys(b.metrics?.candidate ?? {})]);
  return [...names].sort((x, y) => (x === primary ? -1 : y === primary ? 1 : x.localeCompare(y)));
}

function CompareRow({ name, a, b }: { name: string; a: string; b: string }) {
  return (
    <tr>
      <td>{name}</td>
      <td className="num">{a}</td>
      <td className="num">{b}</td>
      <td />
    </tr>
  );
}
