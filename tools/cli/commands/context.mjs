// What every command gets: its output, the project directory, and a client per service built on
// first use from the resolved connection (so offline commands never read the config file, nor load
// @mlp/client).
import path from 'node:path';
import { resolveConnection, SERVICES } from '../config.mjs';
import { CliError, ExitCode, usageError } from '../exit-codes.mjs';
import { ServiceClient } from '../http-client.mjs';
import { Output } from '../output.mjs';
import { checkProject } from '../project/check-project.mjs';

/** Each service's @mlp/client clients: `ctx.client(key).call((api) => ...)` gets these as `api`. */
export const SERVICE_CLIENTS = Object.freeze({
  dwh: (m, o) => ({ warehouse: new m.WarehouseClient(o), imports: new m.ImportsClient(o) }),
  features: (m, o) => new m.FeaturesClient(o),
  trainer: (m, o) => new m.RegistryClient(o),
  serving: (m, o) => new m.PredictionsClient(o),
});

/**
 * @param {{ stdout, stderr, stdin, env, cwd, fetch? }} io
 * @param {Record<string, unknown>} globals the program's options
 */
export function makeContext(io, globals) {
  const out = new Output({ stdout: io.stdout, stderr: io.stderr, json: Boolean(globals.json) });
  let connection;
  const conn = () => {
    if (!connection) {
      connection = resolveConnection(globals, io.env, io.cwd);
      for (const w of connection.warnings) out.note(`warning: ${w}`);
    }
    return connection;
  };
  const clients = {};
  return {
    io,
    out,
    globals,
    /** @param {'dwh'|'features'|'trainer'|'serving'} key */
    client(key) {
      const c = conn();
      return (clients[key] ??= new ServiceClient({ name: SERVICES[key].app, baseUrl: c.urls[key], token: c.token, timeoutMs: c.timeoutMs, fetch: io.fetch, create: SERVICE_CLIENTS[key] }));
    },
    projectDir(arg) {
      return path.resolve(io.cwd, String(arg ?? globals.dir ?? '.'));
    },
  };
}

/** Reads and checks the project; invalid files end the command with exit 2 and every problem. */
export function loadValidProject(ctx, dirArg) {
  const dir = ctx.projectDir(dirArg);
  const project = checkProject(dir);
  if (project.errors.length) {
    throw new CliError(ExitCode.INVALID, `${project.errors.length} problem${project.errors.length === 1 ? '' : 's'} in the project files of ${path.relative(ctx.io.cwd, dir) || '.'}`, {
      problems: project.problems,
      code: 'INVALID_PROJECT',
    });
  }
  return project;
}

/** --full-refresh names must be sources or models of the project. */
export function checkFullRefresh(project, names = []) {
  const known = new Set([...project.sources.map((s) => s.def.name), ...project.models.map((m) => m.def.name)]);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) throw usageError(`--full-refresh ${unknown.join(', ')}: not a source or model of project ${project.name}`);
  return names;
}
