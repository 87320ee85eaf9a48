// `mlp search` and `mlp compare`: hyperparameter searches and runs side by side.
import { ExitCode, usageError } from '../exit-codes.mjs';
import { table } from '../output.mjs';
import { follow, gateText, modelName, round } from './training.mjs';

const SEARCH_DONE = new Set(['succeeded', 'failed', 'cancelled']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const paramsText = (params) => Object.entries(params ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');

function printSearch(ctx, search) {
  ctx.out.line(`search ${search.id} for ${search.model}: ${search.status} (${search.trials.length} trials, ${search.metric} ${search.direction === 'max' ? 'higher' : 'lower'} is better)`);
  ctx.out.line('');
  ctx.out.line(
    table(
      ['trial', 'status', `validation ${search.metric}`, 'params', ''],
      search.trials.map((t) => [t.index, t.status, round(t.validationMetric), paramsText(t.params), t.runId === search.winner?.runId ? 'winner' : null]),
    ),
  );
  ctx.out.line('');
  if (search.finalRun) ctx.out.line(`final run ${search.finalRun.runId}: ${search.finalRun.status}${search.finalRun.modelVersion ? `, version ${search.finalRun.modelVersion}` : ''}`);
  if (search.finalRun?.gate) ctx.out.line(gateText(search.finalRun.gate));
  if (search.error) ctx.out.line(`error (${search.errorCode}): ${search.error}`);
}

/** Starts the search the model's spec declares (`search:` in training/<model>.yaml); --wait follows it to the registered winner. */
export async function searchCommand(ctx, model, options) {
  const trainer = ctx.client('trainer');
  const started = await trainer.call((api, o) => api.startSearch({ model: modelName(model) }, o));
  if (!options.wait) {
    ctx.out.result(started);
    ctx.out.line(`search ${started.id} for ${model}: ${started.trials.length} trials queued (mlp search ${model} --wait follows one)`);
    return ExitCode.OK;
  }
  ctx.out.note(`search ${started.id} for ${model}: ${started.trials.length} trials queued`);
  const search = await follow(ctx, options, (api, o) => api.search(started.id, o), (s) => SEARCH_DONE.has(s.status));
  ctx.out.result(search);
  printSearch(ctx, search);
  return search.status === 'succeeded' ? ExitCode.OK : ExitCode.FAILED;
}

/** Runs side by side: the settings that differ, then the metrics every run has. */
export async function compareCommand(ctx, ids) {
  const bad = ids.filter((i) => !UUID.test(i));
  if (ids.length < 2 || bad.length) throw usageError(bad.length ? `not run ids: ${bad.join(', ')}` : 'give at least two run ids');
  const comparison = await ctx.client('trainer').call((api, o) => api.compareRuns(ids, o));
  ctx.out.result(comparison);
  const { runs } = comparison;
  const settingOf = (run, path) => {
    const [head, ...rest] = path.split('.');
    const value = rest.reduce((v, k) => (v == null ? undefined : v[k]), run[head]);
    return value === undefined ? null : typeof value === 'object' ? JSON.stringify(value) : value;
  };
  const metricOf = (run, path) => {
    const [subject, name] = path.split('.');
    return round(run.metrics?.[subject]?.[name] ?? null);
  };
  const rows = [
    ['status', ...runs.map((r) => (r.trial ? `${r.status} (trial)` : r.status))],
    ...comparison.differences.map((p) => [p, ...runs.map((r) => settingOf(r, p))]),
    ...comparison.commonMetrics.filter((m) => !m.endsWith('.rows')).map((m) => [m, ...runs.map((r) => metricOf(r, m))]),
    ['version', ...runs.map((r) => r.modelVersion)],
  ];
  ctx.out.line(table(['', ...runs.map((r) => r.id.slice(0, 8))], rows));
  if (!comparison.differences.length) ctx.out.line('\nno setting differs between these runs');
  return ExitCode.OK;
}
