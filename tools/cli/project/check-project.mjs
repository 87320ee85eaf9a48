// A project folder read and checked offline: every file on its own, then across files.
import { crossCheck } from './cross-checks.mjs';
import { loadProject } from './load-project.mjs';

export function checkProject(dir) {
  const project = loadProject(dir);
  if (!project.problems.some((p) => p.severity === 'error')) project.problems.push(...crossCheck(project));
  else project.problems.push(...crossCheck(project).filter((p) => p.severity === 'error'));
  project.problems.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0));
  project.errors = project.problems.filter((p) => p.severity === 'error');
  project.warnings = project.problems.filter((p) => p.severity === 'warning');
  return project;
}

/** How many objects of each kind the project declares. */
export const projectCounts = (p) => ({
  sources: p.sources.length,
  event_schemas: p.eventSchemas.length,
  models: p.models.length,
  outcomes: p.outcomes.length,
  kpis: p.kpis.length,
  entities: p.entities.length,
  feature_views: p.featureViews.length,
  feature_services: p.featureServices.length,
  model_specs: p.specs.length,
});
