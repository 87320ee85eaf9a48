// `mlp train`, `mlp runs`, `mlp promote`, `mlp rollback`: training runs and the registry's aliases.
import { ProgressBar } from '../../demo/progress-bar.mjs';
import { CliError, ExitCode, usageError } from '../exit-codes.mjs';
import { table } from '../output.mjs';

const MAX_MISSES = 10;
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);
const MODEL = /^[a-z][a-z0-9_-]{0,62}$/;
export const modelName = (m) => {
  if (!MODEL.test(m)) throw usageError(`${m} is not a model name`);
  return m;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const round = (v) => (typeof v === 'number' ? Number(v.toPrecision(4)) : v);

export function metricsTable(metrics) {
  const rows = Object.entries(metrics ?? {});
  const names = [...new Set(rows.flatMap(([, m]) => Object.keys(m ?? {})))].sort();
  return table(['', ...names], rows.map(([who, m]) => [who, ...names.map((n) => (m?.[n] === undefined ? null : round(m[n])))]));
}

export function gateText(gate) {
  if (!gate) return 'gate: no decision';
  const vs = gate.comparedWith === 'none' ? '' : ` vs ${gate.comparedWith}${gate.referenceVersion ? ` v${gate.referenceVersion}` : ''} ${round(gate.reference)}`;
  return `gate: ${gate.promoted ? 'promoted' : 'not promoted'} (${gate.code}): candidate ${round(gate.candidate)}${vs}: ${gate.reason}`;
}

/**
 * Polls the trainer with `read` every `--interval` seconds (default 2) until `done(answer)`; the work
 * goes on without us, so a trainer restart or a short network outage is ridden out.
 */
export async function follow(ctx, options, read, done) {
  const trainer = ctx.client('trainer');
  const intervalMs = Math.max(0.05, Number(options.interval ?? 2)) * 1000;
  let misses = 0;
  for (;;) {
    let answer;
    try {
      answer = await trainer.call(read);
      misses = 0;
    } catch (err) {
      if (!(err instanceof CliError) || err.exitCode !== ExitCode.UNREACHABLE || ++misses > MAX_MISSES) throw err;
      ctx.out.note(`${err.message}; still waiting (${misses}/${MAX_MISSES})`);
      await sleep(intervalMs);
      continue;
    }
    if (done(answer)) return answer;
    await sleep(intervalMs);
  }
}

export async function trainCommand(ctx, model, options) {
  const trainer = ctx.client('trainer');
  const accepted = await trainer.call((api, o) => api.startRun({ model: modelName(model) }, o));
  if (!options.wait) {
    ctx.out.result(accepted);
    ctx.out.line(`training run ${accepted.id} for ${model}: ${accepted.status} (mlp runs ${model}; --wait follows it)`);
    return ExitCode.OK;
  }
  ctx.out.note(`training run ${accepted.id} for ${model}: ${accepted.status}`);
  const bar = ctx.io.stderr.isTTY ? new ProgressBar(ctx.io.stderr, `train ${model}`) : null;
  const run = await follow(ctx, options, (api, o) => api.run(accepted.id, o), (r) => {
    bar?.update(r.progress ?? 0, r.status);
    return TERMINAL.has(r.status);
  });
  bar?.done(run.status);
  ctx.out.result(run);
  ctx.out.line(`training run ${run.id} for ${run.model}: ${run.status}${run.durationMs != null ? ` in ${(run.durationMs / 1000).toFixed(1)} s` : ''}${run.modelVersion ? `, version ${run.modelVersion}` : ''}`);
  if (run.metrics) {
    ctx.out.line('');
    ctx.out.line(metricsTable(run.metrics));
    ctx.out.line('');
  }
  if (run.status === 'succeeded') ctx.out.line(gateText(run.gate));
  if (run.error) ctx.out.line(`error: ${run.error}`);
  return run.status === 'succeeded' ? ExitCode.OK : ExitCode.FAILED;
}

export async function runsCommand(ctx, model, options) {
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw usageError('--limit must be an integer between 1 and 500');
  const filter = { model: model === undefined ? undefined : modelName(model), status: options.status, limit };
  const runs = await ctx.client('trainer').call((api, o) => api.runs(filter, o));
  ctx.out.result({ runs });
  if (!runs.length) {
    ctx.out.line(`no training runs${model ? ` of ${model}` : ''}${options.status ? ` with status ${options.status}` : ''}`);
    return ExitCode.OK;
  }
  ctx.out.line(
    table(
      ['id', 'model', 'status', 'trigger', 'created', 'seconds', 'version', 'gate'],
      runs.map((r) => [r.id, r.model, r.status, r.trigger, r.createdAt, r.durationMs == null ? null : Number((r.durationMs / 1000).toFixed(1)), r.modelVersion, r.gate ? (r.gate.promoted ? 'promoted' : r.gate.code) : null]),
    ),
  );
  return ExitCode.OK;
}

function checkReason(reason) {
  if (typeof reason !== 'string' || reason.trim().length < 3) throw usageError('--reason is required (at least 3 characters): it goes to the audit log');
  return reason.trim();
}

async function moveAlias(ctx, model, alias, version, reason) {
  const moved = await ctx.client('trainer').call((api, o) => api.moveAlias(model, { alias, version, reason }, o));
  ctx.out.result(moved);
  ctx.out.line(
    moved.changed === false
      ? `${alias} of ${model} is already version ${version}`
      : `${alias} of ${model}: ${moved.previousVersion == null ? 'none' : `v${moved.previousVersion}`} -> v${moved.version}`,
  );
  return ExitCode.OK;
}

const versionNumber = (raw) => {
  const n = Number(raw);
  if (!/^[0-9]+$/.test(String(raw)) || !Number.isInteger(n) || n < 1 || n > 2147483647) throw usageError(`version must be a positive integer, got ${raw}`);
  return n;
};

export async function promoteCommand(ctx, model, version, options) {
  return moveAlias(ctx, modelName(model), options.alias ?? 'champion', versionNumber(version), checkReason(options.reason));
}

/** Without a version: back to the version the alias pointed at before its last move (from the audit log). */
export async function rollbackCommand(ctx, model, version, options) {
  modelName(model);
  const alias = options.alias ?? 'champion';
  const reason = checkReason(options.reason);
  let target = version === undefined ? undefined : versionNumber(version);
  if (target === undefined) {
    const { entries } = await ctx.client('trainer').call((api, o) => api.aliasAudit(model, o));
    const last = [...entries].reverse().find((e) => e.alias === alias);
    if (!last || last.from == null) throw new CliError(ExitCode.FAILED, `${model} has no earlier ${alias} to roll back to: give the version`, { code: 'NO_EARLIER_VERSION' });
    target = last.from;
  }
  return moveAlias(ctx, model, alias, target, reason);
}
