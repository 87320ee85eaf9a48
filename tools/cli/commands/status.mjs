// `mlp status [dir]`: the project as each service sees it: the warehouse's applied version, object
// counts and SLA state; the feature views with version, source and freshness; each model spec's
// champion and challenger in the registry and what serving holds. A service that cannot be reached
// is shown as such and the others still answer (exit 3 at the end).
import { CliError, ExitCode } from '../exit-codes.mjs';
import { table } from '../output.mjs';
import { loadValidProject } from './context.mjs';

async function section(fn) {
  try {
    return { value: await fn() };
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    return { error: err };
  }
}

export async function statusCommand(ctx, dirArg) {
  const project = loadValidProject(ctx, dirArg);
  const name = project.name;
  const datasets = new Set([...project.sources.map((s) => s.def.name), ...project.models.map((m) => m.def.name)]);
  const viewNames = new Set(project.featureViews.map((v) => v.def.name));
  const specNames = project.specs.map((s) => s.def.name);
  const dwh = ctx.client('dwh');
  const features = ctx.client('features');
  const trainer = ctx.client('trainer');
  const serving = ctx.client('serving');

  const warehouse = await section(async () => {
    const summary = await dwh.call((api, o) => api.warehouse.project(name, o), { allow404: true });
    const sla = summary ? await dwh.call((api, o) => api.warehouse.sla(o)) : null;
    return { summary, sla: (sla?.checks ?? []).filter((c) => datasets.has(c.dataset)) };
  });
  const views = await section(async () => {
    const feature_views = await features.call((api, o) => api.featureViews(o));
    const { views: freshness } = await features.call((api, o) => api.freshness(o));
    return feature_views
      .filter((v) => viewNames.has(v.name))
      .map((v) => {
        const f = (freshness ?? []).find((x) => x.view === v.name && x.version === v.version);
        return { name: v.name, version: v.version, online: v.online, source_status: v.source_status ?? null, freshness: f?.status ?? null, age_seconds: f?.age_seconds ?? null };
      });
  });
  const registry = await section(async () => Promise.all(specNames.map(async (m) => ({ name: m, model: await trainer.call((api, o) => api.model(m, o), { allow404: true }) }))));
  const served = await section(async () => Promise.all(specNames.map(async (m) => ({ name: m, status: await serving.call((api, o) => api.modelStatus(m, o), { allow404: true }) }))));

  const models = specNames.map((m) => {
    const reg = registry.value?.find((r) => r.name === m)?.model;
    const srv = served.value?.find((r) => r.name === m)?.status;
    return {
      name: m,
      registered: registry.value ? Boolean(reg) : null,
      latest_version: reg?.latestVersion ?? null,
      champion: reg?.aliases?.champion ?? null,
      challenger: reg?.aliases?.challenger ?? null,
      serving: served.value ? (srv ? (srv.model_version_status ?? []).map((s) => ({ version: Number(s.version), state: s.state })) : null) : undefined,
    };
  });
  const errorOf = (s) => (s.error ? { message: s.error.message, code: s.error.code ?? null, exitCode: s.error.exitCode } : undefined);
  ctx.out.result({
    project: name,
    warehouse: warehouse.error ? { error: errorOf(warehouse) } : warehouse.value,
    features: views.error ? { error: errorOf(views) } : { feature_views: views.value },
    models: { ...(registry.error ? { registry_error: errorOf(registry) } : {}), ...(served.error ? { serving_error: errorOf(served) } : {}), specs: models },
  });

  const o = ctx.out;
  o.line(`project ${name}${project.owner ? ` (owner ${project.owner})` : ''}`);
  o.line('');
  o.line(`warehouse (${dwh.name} at ${dwh.url})`);
  if (warehouse.error) o.line(`  ! ${warehouse.error.message}`);
  else if (!warehouse.value.summary) o.line('  not applied yet: mlp apply');
  else {
    const s = warehouse.value.summary;
    const objects = Object.entries(s.objects ?? {}).map(([k, n]) => `${n} ${k}`).join(', ');
    o.line(`  version ${s.version}, applied ${s.applied_at}${s.applied_by ? ` by ${s.applied_by}` : ''}: ${objects || 'no objects'}`);
    if (warehouse.value.sla.length) o.line(table(['dataset', 'check', 'status', 'measured', 'reason'], warehouse.value.sla.map((c) => [c.dataset, c.check, c.status, c.measured, c.reason]), { indent: '  ' }));
  }
  o.line('');
  o.line(`features (${features.name} at ${features.url})`);
  if (views.error) o.line(`  ! ${views.error.message}`);
  else if (!views.value.length) o.line(viewNames.size ? '  no feature view of the project is registered: mlp apply' : '  the project has no feature views');
  else o.line(table(['view', 'version', 'online', 'source', 'freshness', 'age s'], views.value.map((v) => [v.name, v.version, v.online ? 'yes' : 'no', v.source_status, v.freshness, v.age_seconds == null ? null : Math.round(v.age_seconds)]), { indent: '  ' }));
  o.line('');
  o.line(`models (${trainer.name} at ${trainer.url}, ${serving.name} at ${serving.url})`);
  if (registry.error) o.line(`  ! ${registry.error.message}`);
  if (served.error) o.line(`  ! ${served.error.message}`);
  if (!specNames.length) o.line('  the project has no model specs');
  else {
    const servingText = (m) => (m.serving === undefined ? '?' : m.serving === null ? 'not served' : m.serving.map((s) => `v${s.version} ${s.state}`).join(', ') || 'nothing loaded');
    o.line(table(['model', 'registered', 'latest', 'champion', 'challenger', 'serving'], models.map((m) => [m.name, m.registered === null ? '?' : m.registered ? 'yes' : 'no', m.latest_version, m.champion, m.challenger, servingText(m)]), { indent: '  ' }));
  }
  const failures = [warehouse, views, registry, served].filter((s) => s.error).map((s) => s.error.exitCode);
  if (failures.includes(ExitCode.UNREACHABLE)) return ExitCode.UNREACHABLE;
  return failures.length ? ExitCode.FAILED : ExitCode.OK;
}
