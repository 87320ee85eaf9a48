// `mlp validate [dir]`: the project files checked offline; nothing is sent anywhere.
import { formatProblem } from '../project/origins.mjs';
import { projectCounts } from '../project/check-project.mjs';
import { loadValidProject } from './context.mjs';

const SINGULAR = { sources: 'source', event_schemas: 'event schema', models: 'model', outcomes: 'outcome', kpis: 'KPI', entities: 'entity', feature_views: 'feature view', feature_services: 'feature service', model_specs: 'model spec' };

export function validateCommand(ctx, dirArg) {
  const project = loadValidProject(ctx, dirArg);
  const counts = projectCounts(project);
  for (const w of project.warnings) ctx.out.note(`warning: ${formatProblem(w)}`);
  ctx.out.result({ ok: true, project: project.name, dir: project.dir, counts, warnings: project.warnings });
  const summary = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${n === 1 ? SINGULAR[k] : k.replace(/_/g, ' ')}`)
    .join(', ');
  ctx.out.line(`project ${project.name} is valid: ${summary || 'no objects yet'}`);
  return 0;
}
