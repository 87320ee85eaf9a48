// `mlp run [models...]`: runs the warehouse transformations now and reports each model and every
// failing data test with a sample of its offending rows.
import { ExitCode } from '../exit-codes.mjs';
import { table } from '../output.mjs';

const sampleText = (sample) => {
  const t = JSON.stringify(sample ?? []);
  return t.length > 160 ? `${t.slice(0, 157)}...` : t;
};

export async function runCommand(ctx, models, options) {
  const body = {};
  if (models?.length) body.models = models;
  if (options.fullRefresh) body.fullRefresh = true;
  const run = await ctx.client('dwh').call((api, o) => api.warehouse.runTransformations(body, o));
  ctx.out.result(run);
  ctx.out.line(
    table(
      ['model', 'materialized', 'status', 'rows', 'ms', 'tests'],
      run.models.map((m) => [m.model, m.materialized, m.status, m.rowsAffected, m.durationMs, m.tests.length ? `${m.tests.filter((t) => t.status === 'pass').length}/${m.tests.length} passed` : '-']),
    ),
  );
  const failures = run.models.flatMap((m) => m.tests.filter((t) => t.status === 'fail').map((t) => ({ model: m.model, ...t })));
  if (failures.length) {
    ctx.out.line('');
    ctx.out.line('failing tests:');
    ctx.out.line(table(['model', 'test', 'severity', 'failures', 'sample'], failures.map((f) => [f.model, f.test, f.severity, f.failures, sampleText(f.sample)]), { indent: '  ' }));
  }
  for (const m of run.models.filter((x) => x.error)) ctx.out.line(`${m.status === 'failed' ? 'failed' : m.status}: ${m.model}: ${m.error}`);
  ctx.out.line('');
  ctx.out.line(`run ${run.runId}: ${run.status}`);
  return run.status === 'success' ? ExitCode.OK : ExitCode.FAILED;
}
