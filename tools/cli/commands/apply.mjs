// `mlp plan` and `mlp apply`: the project's three apply requests, as dry runs or for real, in the
// order warehouse -> features -> model specs. Apply stops at the first service that refuses, so
// the later services are left exactly as they were.
import readline from 'node:readline/promises';
import { CliError, ExitCode, usageError } from '../exit-codes.mjs';
import { ServiceRefused } from '../http-client.mjs';
import { buildApplyRequests } from '../project/apply-requests.mjs';
import { formatProblem, problemAt } from '../project/origins.mjs';
import { mapRefusal } from '../project/refusal-mapping.mjs';
import { planCounts, renderPlans, SERVICE_TITLES } from '../render-plan.mjs';
import { checkFullRefresh, loadValidProject } from './context.mjs';

/** Which service takes each apply request, and the @mlp/client call that sends it. */
export const APPLY_ROUTES = Object.freeze({
  warehouse: { client: 'dwh', send: (api, body, o) => api.warehouse.applyProject(body, o) },
  features: { client: 'features', send: (api, body, o) => api.apply(body, o) },
  specs: { client: 'trainer', send: (api, body, o) => api.applySpecs(body, o) },
});

/** Feature services the project's specs use but do not declare must already be on the feature store. */
async function checkOutsideFeatureServices(ctx, project) {
  const declared = new Set(project.featureServices.map((s) => s.def.name));
  const problems = [];
  for (const spec of project.specs) {
    const name = spec.def.featureService;
    if (declared.has(name)) continue;
    const found = await ctx.client('features').call((api, o) => api.featureService(name, o), { allow404: true });
    if (!found) problems.push(problemAt(spec.origin, ['featureService'], `no feature service ${name} in this project nor on the feature store`));
  }
  if (problems.length) throw new CliError(ExitCode.FAILED, 'a model spec uses a feature service that does not exist', { problems, code: 'UNKNOWN_FEATURE_SERVICE', service: 'feature-store' });
}

async function send(ctx, request) {
  const route = APPLY_ROUTES[request.service];
  const client = ctx.client(route.client);
  const base = { service: request.service, app: client.name, url: client.url };
  try {
    return { ...base, plan: await client.call((api, o) => route.send(api, request.body, o)) };
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    const problems = err instanceof ServiceRefused ? mapRefusal(request, err.details) : [];
    return { ...base, error: err.message, exitCode: err.exitCode, code: err.code, problems: problems.map(formatProblem), mapped: problems };
  }
}

function jsonResults(results) {
  return Object.fromEntries(
    results.map((r) => [r.service, r.plan ? { plan: r.plan } : r.error ? { error: { message: r.error, code: r.code ?? null, problems: r.mapped ?? [] } } : { skipped: true }]),
  );
}

function prepare(ctx, dirArg, options) {
  const project = loadValidProject(ctx, dirArg);
  const fullRefresh = checkFullRefresh(project, options.fullRefresh === true ? [] : (options.fullRefresh ?? []));
  for (const w of project.warnings) ctx.out.note(`warning: ${formatProblem(w)}`);
  return { project, fullRefresh, prune: Boolean(options.prune), warnings: project.warnings };
}

export async function planCommand(ctx, dirArg, options) {
  const { project, fullRefresh, prune, warnings } = prepare(ctx, dirArg, options);
  await checkOutsideFeatureServices(ctx, project);
  const results = [];
  // Dry runs change nothing: all three are asked even when one refuses.
  for (const request of buildApplyRequests(project, { dryRun: true, prune, fullRefresh })) results.push(await send(ctx, request));
  ctx.out.line(renderPlans(results, { prune }));
  const failed = results.find((r) => r.error);
  ctx.out.result({ project: project.name, dry_run: true, prune, services: jsonResults(results), warnings });
  return failed ? failed.exitCode : ExitCode.OK;
}

async function confirm(ctx, question) {
  const { stdin, stderr } = ctx.io;
  const rl = readline.createInterface({ input: stdin, output: stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function applyCommand(ctx, dirArg, options) {
  const { project, fullRefresh, prune, warnings } = prepare(ctx, dirArg, options);
  // Nobody could answer the question: refuse before sending anything (`mlp plan` shows the plan).
  if (!options.yes && !ctx.io.stdin?.isTTY) throw usageError('apply needs --yes when its input is not a terminal (nothing was sent; mlp plan shows the plan)');
  await checkOutsideFeatureServices(ctx, project);
  if (!options.yes) {
    const planned = [];
    for (const request of buildApplyRequests(project, { dryRun: true, prune, fullRefresh })) planned.push(await send(ctx, request));
    ctx.out.line(renderPlans(planned, { prune }));
    const failed = planned.find((r) => r.error);
    if (failed) {
      ctx.out.result({ project: project.name, applied: false, prune, services: jsonResults(planned), warnings });
      ctx.out.note(`nothing applied: the ${SERVICE_TITLES[failed.service]} dry run failed`);
      return failed.exitCode;
    }
    const changes = planned.reduce((n, r) => {
      const c = planCounts(r.plan, { prune });
      return n + c.created + c.changed + c.removed;
    }, 0);
    if (changes === 0 && !fullRefresh.length) {
      ctx.out.result({ project: project.name, applied: false, prune, services: jsonResults(planned), warnings });
      ctx.out.line('Nothing to apply.');
      return ExitCode.OK;
    }
    if (!(await confirm(ctx, `Apply these changes to project ${project.name}? [y/N] `))) {
      ctx.out.note('nothing applied');
      return ExitCode.FAILED;
    }
  }
  const results = [];
  let failed;
  for (const request of buildApplyRequests(project, { dryRun: false, prune, fullRefresh })) {
    if (failed) {
      results.push({ service: request.service, app: ctx.client(APPLY_ROUTES[request.service].client).name, url: ctx.client(APPLY_ROUTES[request.service].client).url });
      continue;
    }
    const r = await send(ctx, request);
    results.push(r);
    if (r.error) failed = r;
  }
  ctx.out.line(renderPlans(results, { prune, applied: true }));
  ctx.out.result({ project: project.name, applied: !failed, prune, services: jsonResults(results), warnings });
  if (failed) {
    const done = results.filter((r) => r.plan).map((r) => SERVICE_TITLES[r.service]);
    const skipped = results.filter((r) => !r.plan && !r.error).map((r) => SERVICE_TITLES[r.service]);
    ctx.out.note(
      `apply stopped: ${failed.app} refused the ${SERVICE_TITLES[failed.service]}` +
        (done.length ? `; applied before it: ${done.join(', ')}` : '') +
        (skipped.length ? `; not applied: ${skipped.join(', ')}` : ''),
    );
    return failed.exitCode;
  }
  return ExitCode.OK;
}
