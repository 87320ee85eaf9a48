// Reads a project folder (docs/projects.md) into its objects, each with where it came from, and
// every problem a single file can have: YAML syntax, its JSON Schema, its name against its file
// name, a model's SQL and configuration. Cross-file checks are in cross-checks.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { jsonSchemaProblem, validateFile } from './file-validation.mjs';
import { problemAt } from './origins.mjs';
import { splitSqlHeader } from './sql-header.mjs';
import { readYaml } from './yaml-source.mjs';

export const WAREHOUSE_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const YAML_EXT = /\.ya?ml$/;

/** @returns the project: `{ dir, name, owner, description, mlp, sources, eventSchemas, models, outcomes, kpis, entities, featureViews, featureServices, specs, problems }`, each object as `{ def, origin }` */
export function loadProject(dir) {
  const project = {
    dir,
    name: null,
    owner: undefined,
    description: undefined,
    mlp: null,
    sources: [],
    eventSchemas: [],
    models: [],
    outcomes: [],
    kpis: [],
    entities: [],
    featureViews: [],
    featureServices: [],
    specs: [],
    problems: [],
  };
  const problem = (file, line, p, message, severity = 'error') => project.problems.push({ file, line, path: p, message, severity });

  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    problem(dir, 0, '', 'is not a directory');
    return project;
  }

  /** Reads, parses and schema-checks one YAML text; returns its reader and value, or null. */
  const readChecked = (file, text, kind, lineOffset = 0) => {
    const reader = readYaml(text, { lineOffset });
    for (const e of reader.errors) problem(file, e.line, '', `YAML: ${e.message}`);
    if (reader.errors.length) return null;
    const origin = { file, reader, base: [] };
    for (const v of validateFile(kind, reader.value ?? null)) project.problems.push(problemAt(origin, v.path, v.message));
    return { reader, value: reader.value, origin, valid: !project.problems.some((p) => p.file === file && p.severity === 'error') };
  };

  const listDir = (sub, filter) => {
    const full = path.join(dir, sub);
    if (!fs.existsSync(full)) return [];
    return fs
      .readdirSync(full, { withFileTypes: true })
      .filter((e) => e.isFile() && filter(e.name))
      .map((e) => e.name)
      .sort();
  };
  const read = (rel) => fs.readFileSync(path.join(dir, rel), 'utf8');
  const basename = (f) => f.replace(/\.[^.]+$/, '');
  const nameMustMatch = (checked, rel, what) => {
    const expected = basename(path.basename(rel));
    if (typeof checked.value?.name === 'string' && checked.value.name !== expected) {
      project.problems.push(problemAt(checked.origin, ['name'], `must be the file's name (${expected}): one ${what} per file, named for it`));
      return false;
    }
    return true;
  };

  // mlp.yaml
  const mlpFile = ['mlp.yaml', 'mlp.yml'].find((f) => fs.existsSync(path.join(dir, f)));
  if (!mlpFile) problem('mlp.yaml', 0, '', 'is missing: a project folder starts with mlp.yaml (name, owner, description); `mlp init` writes one');
  else {
    const checked = readChecked(mlpFile, read(mlpFile), 'mlp');
    if (checked) {
      project.mlp = checked.origin;
      if (checked.valid) {
        project.name = checked.value.name;
        project.owner = checked.value.owner;
        project.description = checked.value.description;
      }
    }
  }

  // sources/*.yaml: import sources, or tracking plans (kind: events)
  for (const f of listDir('sources', (n) => YAML_EXT.test(n))) {
    const rel = `sources/${f}`;
    const text = read(rel);
    const peek = readYaml(text);
    const isEvents = peek.value && typeof peek.value === 'object' && peek.value.kind === 'events';
    const checked = readChecked(rel, text, isEvents ? 'events' : 'source');
    if (!checked?.valid) continue;
    if (isEvents) {
      checked.value.events.forEach((e, i) => {
        const origin = { ...checked.origin, base: ['events', i] };
        const bad = jsonSchemaProblem(e.schema);
        if (bad) project.problems.push(problemAt(origin, ['schema'], `is not a usable JSON Schema: ${bad}`));
        else project.eventSchemas.push({ def: e, origin });
      });
    } else if (nameMustMatch(checked, rel, 'source')) {
      project.sources.push({ def: checked.value, origin: checked.origin });
    }
  }

  // models/<name>.sql + models/<name>.yaml (or a /* mlp */ header)
  const modelFiles = listDir('models', (n) => n.endsWith('.sql') || YAML_EXT.test(n));
  const sqlNames = new Set(modelFiles.filter((f) => f.endsWith('.sql')).map(basename));
  for (const f of modelFiles.filter((n) => YAML_EXT.test(n))) {
    if (!sqlNames.has(basename(f))) problem(`models/${f}`, 1, '', `configures a model without SQL: add models/${basename(f)}.sql (its SELECT)`);
  }
  for (const name of [...sqlNames].sort()) {
    const sqlRel = `models/${name}.sql`;
    const split = splitSqlHeader(read(sqlRel));
    const yamlFiles = modelFiles.filter((n) => YAML_EXT.test(n) && basename(n) === name);
    if (!WAREHOUSE_IDENTIFIER.test(name)) {
      problem(sqlRel, 1, '', `the file name ${name} is not a model name: lower-case letters, digits and underscores, starting with a letter or underscore`);
      continue;
    }
    if (yamlFiles.length > 1) problem(`models/${yamlFiles[1]}`, 1, '', `configures ${name} a second time (also models/${yamlFiles[0]})`);
    if (split.header !== null && yamlFiles.length) {
      problem(`models/${yamlFiles[0]}`, 1, '', `configures ${name} a second time: ${sqlRel} has a /* mlp */ header; keep one of the two`);
      continue;
    }
    let checked;
    if (split.header !== null) checked = readChecked(sqlRel, split.header, 'model', split.headerLine - 1);
    else if (yamlFiles.length) checked = readChecked(`models/${yamlFiles[0]}`, read(`models/${yamlFiles[0]}`), 'model');
    else {
      problem(sqlRel, 1, '', `has no configuration: add models/${name}.yaml (layer, materialized, ...) or a /* mlp ... */ header at the top`);
      continue;
    }
    if (!split.sql) problem(sqlRel, split.sqlLine, 'sql', 'is empty: a model is one SELECT');
    if (!checked?.valid || !split.sql) continue;
    const origin = { ...checked.origin, fields: { sql: { file: sqlRel, line: split.sqlLine }, name: { file: sqlRel, line: 1 } } };
    project.models.push({ def: { name, ...checked.value, sql: split.sql }, origin });
  }

  // features/*.yaml
  for (const f of listDir('features', (n) => YAML_EXT.test(n))) {
    const rel = `features/${f}`;
    const checked = readChecked(rel, read(rel), 'features');
    if (!checked?.valid) continue;
    for (const [key, list] of [
      ['entities', project.entities],
      ['feature_views', project.featureViews],
      ['feature_services', project.featureServices],
    ]) {
      (checked.value?.[key] ?? []).forEach((def, i) => list.push({ def, origin: { ...checked.origin, base: [key, i] } }));
    }
  }

  // training/<model>.yaml: a model spec and optionally its outcome
  for (const f of listDir('training', (n) => YAML_EXT.test(n))) {
    const rel = `training/${f}`;
    const checked = readChecked(rel, read(rel), 'training');
    if (!checked?.valid || !nameMustMatch(checked, rel, 'model spec')) continue;
    const { outcome, ...spec } = checked.value;
    project.specs.push({ def: spec, origin: checked.origin });
    if (outcome) {
      project.outcomes.push({ def: { model: spec.name, ...outcome }, origin: { ...checked.origin, base: ['outcome'], fields: { model: { path: ['name'] } } } });
    }
  }

  // kpis/<name>.yaml
  for (const f of listDir('kpis', (n) => YAML_EXT.test(n))) {
    const rel = `kpis/${f}`;
    const checked = readChecked(rel, read(rel), 'kpi');
    if (checked?.valid && nameMustMatch(checked, rel, 'KPI')) project.kpis.push({ def: checked.value, origin: checked.origin });
  }

  return project;
}
