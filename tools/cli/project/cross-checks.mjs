// Checks across files that no single file's schema can make: duplicate names, references between
// the project's own objects, and the rules the contracts state in words (an outcome with a time
// column needs a horizon, a model's freshness needs its column, an entity has one kind of key, a
// rule names numeric features of its feature service).
// A reference to something outside the project (another project's entity, a feature service
// already on the feature store) is a warning: only the services can tell.
import { createRequire } from 'node:module';
import { problemAt } from './origins.mjs';

const FEATURE_REF = /^([a-z][a-z0-9_]{0,62})(?:@v([0-9]+))?:([a-z][a-z0-9_]{0,62})$/;

let ruleModule;
/**
 * The model runtime's own rule checks (the trainer runs the same), from their TypeScript source
 * through the repo's ts-hook: loaded only when a project has a rule spec.
 */
function ruleChecks() {
  if (!ruleModule) {
    const require = createRequire(import.meta.url);
    require('../../ts-hook/register.cjs');
    ruleModule = require('../../../libs/model-runtime/src/lib/model-kinds/rule.ts');
  }
  return ruleModule;
}

/** A project feature service's features as a rule sees them (`view:feature`, numeric or not); undefined when a view is not in the project. */
function serviceFeatures(service, views) {
  const out = [];
  for (const ref of service.features) {
    const m = FEATURE_REF.exec(ref);
    const feature = m && views.get(m[1])?.def.features.find((f) => f.name === m[3]);
    if (!feature) return undefined;
    out.push({ name: `${m[1]}:${m[3]}`, numeric: feature.type !== 'string' });
  }
  return out;
}

/** @returns problems `{ file, line, path, message, severity }` */
export function crossCheck(project) {
  const out = [];
  const err = (origin, rest, message) => out.push(problemAt(origin, rest, message, 'error'));
  const warn = (origin, rest, message) => out.push(problemAt(origin, rest, message, 'warning'));

  const duplicates = (items, keyOf, what, field = ['name']) => {
    const first = new Map();
    for (const item of items) {
      const key = keyOf(item.def);
      const seen = first.get(key);
      if (seen) err(item.origin, field, `${what} ${key} is also defined in ${seen.origin.file}`);
      else first.set(key, item);
    }
    return first;
  };
  const sources = duplicates(project.sources, (d) => d.name, 'source');
  duplicates(project.eventSchemas, (d) => `${d.name} ${d.version}`, 'event schema', ['version']);
  const models = duplicates(project.models, (d) => d.name, 'model');
  duplicates(project.kpis, (d) => d.name, 'KPI');
  const entities = duplicates(project.entities, (d) => d.name, 'entity');
  const views = duplicates(project.featureViews, (d) => d.name, 'feature view');
  const services = duplicates(project.featureServices, (d) => d.name, 'feature service');
  duplicates(project.specs, (d) => d.name, 'model spec');

  for (const m of project.models) {
    const source = m.def.name.startsWith('src_') ? sources.get(m.def.name.slice(4)) : undefined;
    if (source) err(m.origin, ['name'], `clashes with the table of source ${source.def.name} (dwh.${m.def.name}, ${source.origin.file})`);
    if (m.def.freshness && !m.def.freshness.column) err(m.origin, ['freshness', 'column'], "is required for a model: the column holding each row's data time");
    for (const [i, t] of (m.def.tests ?? []).entries()) {
      if (t.kind === 'relationships' && !models.has(t.to) && !sources.has(t.to.replace(/^src_/, ''))) {
        warn(m.origin, ['tests', i, 'to'], `${t.to} is not a model of this project: it must exist in the warehouse`);
      }
    }
  }
  for (const s of project.sources) {
    const cols = new Set(s.def.columns.map((c) => c.name));
    for (const [i, k] of (s.def.primary_key ?? []).entries()) if (!cols.has(k)) err(s.origin, ['primary_key', i], `${k} is not a column of the source`);
    if (s.def.freshness?.column && !cols.has(s.def.freshness.column) && s.def.freshness.column !== 'loaded_at') {
      err(s.origin, ['freshness', 'column'], `${s.def.freshness.column} is not a column of the source (nor loaded_at)`);
    }
  }
  const taskOf = new Map(project.specs.map((s) => [s.def.name, s.def.task]));
  for (const o of project.outcomes) {
    if (o.def.timestamp_column && !o.def.horizon) err(o.origin, ['horizon'], 'is required with timestamp_column: how long after a prediction its outcome counts');
    // Live quality reads one logged score per prediction; a multiclass model logs its class index,
    // which no live-quality figure can read (model-serving answers 422 LIVE_QUALITY_UNSUPPORTED_TASK).
    if (taskOf.get(o.def.model) === 'multiclass_classification') err(o.origin, ['label_column'], 'live quality from outcomes is for binary classification and regression models; a multiclass model cannot declare an outcome yet');
  }
  for (const e of project.entities) {
    const both = e.def.join_key !== undefined && e.def.join_keys !== undefined;
    if (both || (e.def.join_key === undefined && e.def.join_keys === undefined)) err(e.origin, ['join_key'], 'give exactly one of join_key and join_keys');
  }
  for (const v of project.featureViews) {
    for (const [i, name] of v.def.entities.entries()) {
      if (!entities.has(name)) warn(v.origin, ['entities', i], `entity ${name} is not in this project: it must exist on the feature store`);
    }
    const seen = new Set();
    for (const [i, f] of v.def.features.entries()) {
      if (seen.has(f.name)) err(v.origin, ['features', i, 'name'], `feature ${f.name} appears twice in the view`);
      seen.add(f.name);
    }
  }
  for (const s of project.featureServices) {
    for (const [i, ref] of s.def.features.entries()) {
      const m = FEATURE_REF.exec(ref);
      if (!m) continue;
      const view = views.get(m[1]);
      if (!view) warn(s.origin, ['features', i], `feature view ${m[1]} is not in this project: it must exist on the feature store`);
      else if (!view.def.features.some((f) => f.name === m[3])) err(s.origin, ['features', i], `feature view ${m[1]} (${view.origin.file}) has no feature ${m[3]}`);
    }
  }
  for (const spec of project.specs) {
    const service = services.get(spec.def.featureService);
    if (!service) {
      warn(spec.origin, ['featureService'], `feature service ${spec.def.featureService} is not in this project: it must exist on the feature store (plan and apply check)`);
    }
    // A rule is checked against the feature service's features when the project defines them all
    // (else only its grammar here; its names when a run knows the model's inputs).
    const expression = spec.def.algorithm?.kind === 'rule' ? spec.def.algorithm.expression : undefined;
    if (typeof expression === 'string') {
      const features = service && serviceFeatures(service.def, views);
      const problem = features ? ruleChecks().ruleFeatureProblem(expression, features) : ruleChecks().ruleSyntaxProblem(expression);
      if (problem) err(spec.origin, ['algorithm', 'expression'], `${problem.message} (${problem.code})`);
    }
  }
  return out;
}
