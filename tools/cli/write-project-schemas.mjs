#!/usr/bin/env node
// The JSON Schemas of the project files (docs/projects.md), derived from libs/contracts: what
// `mlp validate` checks offline and what editors use to complete and check the YAML
// (`# yaml-language-server: $schema=...`, the first line `mlp init` writes in each file).
//
//   node tools/cli/write-project-schemas.mjs           rewrites schemas/project/*.schema.json
//   node tools/cli/write-project-schemas.mjs --check   fails when the committed files are not what the contracts give
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { literalUnionsToEnums, withoutId, withoutProperties, withProperties } from './schema-transforms.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PROJECT_SCHEMAS_DIR = path.join(root, 'schemas/project');

function loadContracts() {
  const require = createRequire(import.meta.url);
  require('../ts-hook/register.cjs');
  return require(path.join(root, 'libs/contracts/src/index.ts'));
}

/** @returns {Record<string, object>} file name -> JSON Schema */
export function buildProjectSchemas(contracts = loadContracts()) {
  const byId = new Map(contracts.listContracts().map((c) => [c.id, withoutId(c.jsonSchema)]));
  const get = (id) => {
    const s = byId.get(id);
    if (!s) throw new Error(`contract ${id} not found in libs/contracts`);
    return s;
  };
  const file = (title, description, schema) => ({
    $schema: 'http://json-schema.org/draft-07/schema#',
    title,
    description,
    ...literalUnionsToEnums(schema),
  });
  const mlp = {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { ...get('dwh.WarehouseApplyRequest').properties.project, description: 'The project: lower-case letters, digits and dashes (e.g. acme-shop). It owns every name it applies.' },
      owner: { ...get('dwh.WarehouseApplyRequest').properties.owner, description: 'The team or person who owns the project' },
      description: get('dwh.WarehouseApplyRequest').properties.description,
    },
  };
  const events = {
    type: 'object',
    additionalProperties: false,
    required: ['kind', 'events'],
    properties: {
      kind: { const: 'events', type: 'string', description: 'Marks a tracking plan (not an import source)' },
      description: { type: 'string', maxLength: 2000 },
      events: { type: 'array', maxItems: 500, items: get('dwh.RegisterEventSchemaRequest'), description: 'Event schemas: the JSON Schema of each track event\'s properties (or identify traits)' },
    },
  };
  const model = withoutProperties(get('dwh.ModelDefinition'), ['name', 'sql']);
  const outcome = withoutProperties(get('dwh.OutcomeDefinition'), ['model']);
  outcome.description = 'What labels this model\'s live predictions (applied to the warehouse as an outcome of this model)';
  const training = withProperties(get('training.ModelSpec'), { outcome });
  const features = {
    type: 'object',
    additionalProperties: false,
    properties: {
      entities: { type: 'array', maxItems: 500, items: get('features.Entity') },
      feature_views: { type: 'array', maxItems: 500, items: get('features.FeatureView') },
      feature_services: { type: 'array', maxItems: 500, items: get('features.FeatureService') },
    },
  };
  return {
    'mlp.schema.json': file('mlp.yaml', 'The project file at the root of a project folder', mlp),
    'source.schema.json': file('sources/<name>.yaml', 'An import source: files posted to /v1/imports/<name> land in dwh.src_<name>', get('dwh.SourceDefinition')),
    'events.schema.json': file('sources/<name>.yaml (kind: events)', 'A tracking plan: event schemas of the tracked events', events),
    'model.schema.json': file('models/<name>.yaml', 'A warehouse model\'s configuration; its SQL is models/<name>.sql (or put this YAML in a /* mlp ... */ header of the .sql)', model),
    'features.schema.json': file('features/*.yaml', 'Entities, feature views and feature services', features),
    'training.schema.json': file('training/<model>.yaml', 'A model spec, plus optionally the outcome that labels its live predictions', training),
    'kpi.schema.json': file('kpis/<name>.yaml', 'A KPI: SQL over marts returning a date, a value and optionally a dimension', get('dwh.KpiDefinition')),
  };
}

export function renderProjectSchemas(schemas = buildProjectSchemas()) {
  return Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, `${JSON.stringify(s, null, 2)}\n`]));
}

/** Differences between the committed directory and the rendered files (names of stale, missing or extra files). */
export function compareWithCommitted(rendered, dir = PROJECT_SCHEMAS_DIR) {
  const present = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.schema.json')) : [];
  const problems = [];
  for (const [name, text] of Object.entries(rendered)) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) problems.push(`${name} is missing`);
    else if (fs.readFileSync(file, 'utf8') !== text) problems.push(`${name} differs`);
  }
  for (const name of present) if (!(name in rendered)) problems.push(`${name} is not generated any more`);
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rendered = renderProjectSchemas();
  const rel = path.relative(process.cwd(), PROJECT_SCHEMAS_DIR) || '.';
  if (process.argv.includes('--check')) {
    const problems = compareWithCommitted(rendered);
    if (problems.length) {
      console.error(`${rel}: ${problems.join('; ')}: run node tools/cli/write-project-schemas.mjs`);
      process.exit(1);
    }
    console.log('project file schemas match the contracts');
  } else {
    fs.mkdirSync(PROJECT_SCHEMAS_DIR, { recursive: true });
    for (const name of fs.readdirSync(PROJECT_SCHEMAS_DIR)) if (name.endsWith('.schema.json') && !(name in rendered)) fs.rmSync(path.join(PROJECT_SCHEMAS_DIR, name));
    for (const [name, text] of Object.entries(rendered)) fs.writeFileSync(path.join(PROJECT_SCHEMAS_DIR, name), text);
    console.log(`wrote ${Object.keys(rendered).length} project file schemas to ${rel}`);
  }
}
