// The `mlp` command line: options and commands (commander), each command's exit code, and the one
// place where errors become output: a message and its problems on stderr, or with --json a JSON
// document on stdout.
import { Command, CommanderError, Option } from 'commander';
import fs from 'node:fs';
import { applyCommand, planCommand } from './commands/apply.mjs';
import { compareCommand, searchCommand } from './commands/experiments.mjs';
import { makeContext } from './commands/context.mjs';
import { importCommand } from './commands/import.mjs';
import { initCommand } from './commands/init.mjs';
import { runCommand } from './commands/run.mjs';
import { statusCommand } from './commands/status.mjs';
import { promoteCommand, rollbackCommand, runsCommand, trainCommand } from './commands/training.mjs';
import { validateCommand } from './commands/validate.mjs';
import { CliError, ExitCode } from './exit-codes.mjs';
import { formatProblem } from './project/origins.mjs';

const PACKAGE_VERSION = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

const EXIT_HELP = `
Exit codes:
  0  ok
  1  the operation failed or a service refused it
  2  usage error or invalid project files (nothing was sent)
  3  a service could not be reached

Configuration: flags, then MLP_DWH_URL / MLP_FEATURES_URL / MLP_TRAINER_URL / MLP_SERVING_URL and
MLP_TOKEN, then the config file (--config, MLP_CONFIG or ./.mlp/config.yaml: urls: {dwh, features,
trainer, serving}, token:), then http://127.0.0.1:3001..3004. See docs/projects.md.`;

/**
 * Runs `mlp` with arguments (without node and the script) and returns the exit code.
 * @param {string[]} argv
 * @param {{ stdout?, stderr?, stdin?, env?, cwd?, fetch? }} io
 */
export async function runCli(argv, io = {}) {
  const env = io.env ?? process.env;
  const full = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd(), fetch: globalThis.fetch, ...io, env };
  let exitCode = ExitCode.OK;
  let ctx;
  const program = new Command('mlp');
  program
    .description('Validate, plan and apply ML platform projects; import, transform, train and promote.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => full.stdout.write(s), writeErr: (s) => full.stderr.write(s) })
    .showSuggestionAfterError()
    .version(PACKAGE_VERSION)
    .option('--dir <dir>', 'the project folder (default: the current directory)')
    .addOption(new Option('--dwh-url <url>', 'dwh-ingest (env MLP_DWH_URL; default http://127.0.0.1:3001)'))
    .addOption(new Option('--features-url <url>', 'feature-store (env MLP_FEATURES_URL; default http://127.0.0.1:3002)'))
    .addOption(new Option('--trainer-url <url>', 'trainer (env MLP_TRAINER_URL; default http://127.0.0.1:3003)'))
    .addOption(new Option('--serving-url <url>', 'model-serving (env MLP_SERVING_URL; default http://127.0.0.1:3004)'))
    .option('--config <file>', 'config file with urls: and token: (env MLP_CONFIG; default ./.mlp/config.yaml)')
    .option('--token <token>', 'bearer token (env MLP_TOKEN); never printed')
    .option('--timeout <seconds>', 'how long to wait for a service answer (default 120)')
    .option('--json', 'machine-readable output: one JSON document on stdout')
    .addHelpText('after', EXIT_HELP);

  const action =
    (handler) =>
    async (...args) => {
      const cmd = args.at(-1);
      ctx = makeContext(full, cmd.optsWithGlobals());
      exitCode = await handler(ctx, ...args.slice(0, -1));
    };

  program
    .command('init')
    .description('create a skeleton project: one commented example of each file kind')
    .argument('[dir]', 'where (default: --dir or the current directory)')
    .option('--name <name>', 'project name (default: the folder name)')
    .option('--schema-base <url-or-dir>', 'where editors find the schemas (env MLP_SCHEMA_BASE; default: this checkout\'s schemas/project)')
    .action(action((c, dir, opts) => initCommand(c, dir, opts)));
  program
    .command('validate')
    .description('check the project files offline (schemas and cross-file rules)')
    .argument('[dir]')
    .action(action((c, dir) => validateCommand(c, dir)));
  program
    .command('plan')
    .description('dry-run the project against the warehouse, feature store and trainer and show the diff')
    .argument('[dir]')
    .option('--prune', "show the project's objects that are not in the folder as removed")
    .option('--full-refresh <names...>', 'sources and models whose breaking change may rebuild their table')
    .action(action((c, dir, opts) => planCommand(c, dir, opts)));
  program
    .command('apply')
    .description('apply the project: warehouse, then features, then model specs; stops at the first refusal')
    .argument('[dir]')
    .option('--prune', "remove the project's objects that are not in the folder")
    .option('--full-refresh <names...>', 'sources and models whose breaking change may drop and rebuild their table')
    .option('-y, --yes', 'apply without showing the plan and asking')
    .action(action((c, dir, opts) => applyCommand(c, dir, opts)));
  program
    .command('import')
    .description('stream a CSV or NDJSON file into an import source (idempotent: the key is the file digest)')
    .argument('<source>')
    .argument('<file>')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'ndjson']))
    .option('--idempotency-key <key>', 'default: sha256-<the file\'s SHA-256>')
    .action(action((c, source, file, opts) => importCommand(c, source, file, opts)));
  program
    .command('run')
    .description('run the warehouse transformations (the given models and everything downstream, or all)')
    .argument('[models...]')
    .option('--full-refresh', 'rebuild incremental models from scratch')
    .action(action((c, models, opts) => runCommand(c, models, opts)));
  program
    .command('train')
    .description('start a training run of a model spec')
    .argument('<model>')
    .option('--wait', 'follow the run to its end and print its metrics and gate decision')
    .option('--interval <seconds>', 'polling interval with --wait (default 2)')
    .action(action((c, model, opts) => trainCommand(c, model, opts)));
  program
    .command('search')
    .description("run the hyperparameter search the model's spec declares; the winner is registered and gated")
    .argument('<model>')
    .option('--wait', 'follow the search to its end and print its trials, winner and gate decision')
    .option('--interval <seconds>', 'polling interval with --wait (default 2)')
    .action(action((c, model, opts) => searchCommand(c, model, opts)));
  program
    .command('compare')
    .description('put training runs side by side: the settings that differ and their metrics')
    .argument('<ids...>', 'two or more run ids')
    .action(action((c, ids) => compareCommand(c, ids)));
  program
    .command('runs')
    .description('list training runs, newest first')
    .argument('[model]')
    .addOption(new Option('--status <status>').choices(['queued', 'running', 'succeeded', 'failed', 'cancelled']))
    .option('--limit <n>', 'at most this many (default 20)')
    .action(action((c, model, opts) => runsCommand(c, model, opts)));
  program
    .command('promote')
    .description("move a model's champion (or --alias challenger) to a version")
    .argument('<model>')
    .argument('<version>')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .addOption(new Option('--alias <alias>').choices(['champion', 'challenger']).default('champion'))
    .action(action((c, model, version, opts) => promoteCommand(c, model, version, opts)));
  program
    .command('rollback')
    .description('move the champion back (default: to the version it had before its last move)')
    .argument('<model>')
    .argument('[version]')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .addOption(new Option('--alias <alias>').choices(['champion', 'challenger']).default('champion'))
    .action(action((c, model, version, opts) => rollbackCommand(c, model, version, opts)));
  program
    .command('status')
    .description("the project as the services see it: warehouse version and SLAs, feature views, models and serving")
    .argument('[dir]')
    .action(action((c, dir) => statusCommand(c, dir)));

  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return ExitCode.OK;
      if (json) full.stdout.write(`${JSON.stringify({ error: { message: err.message.replace(/^error: /, ''), code: 'USAGE', service: null, exitCode: ExitCode.INVALID, problems: [] } }, null, 2)}\n`);
      return ExitCode.INVALID;
    }
    const e = err instanceof CliError ? err : new CliError(ExitCode.FAILED, `unexpected error: ${err?.stack ?? err}`, { code: 'INTERNAL' });
    if (json || ctx?.out.json) {
      full.stdout.write(`${JSON.stringify({ error: { message: e.message, code: e.code ?? null, service: e.service ?? null, exitCode: e.exitCode, problems: e.problems } }, null, 2)}\n`);
    } else {
      full.stderr.write(`mlp: ${e.message}\n`);
      for (const p of e.problems) full.stderr.write(`  ${p.severity === 'warning' ? 'warning: ' : ''}${formatProblem(p)}\n`);
      if (e.details?.length && !e.problems.length) for (const d of e.details) full.stderr.write(`  ${d.path ? `${d.path}: ` : ''}${d.message}${d.code ? ` (${d.code})` : ''}\n`);
    }
    return e.exitCode;
  }
}
