// The three apply requests a project folder makes, in apply order, each with the origin of every
// object it lists so that a service's refusal can be told in the project's own terms.

/**
 * @param project a loaded project without errors
 * @param {{ dryRun?: boolean, prune?: boolean, fullRefresh?: string[] }} options
 * @returns {{ service: 'warehouse'|'features'|'specs', body: object, origins: Record<string, import('./origins.mjs').Origin[]>, top: import('./origins.mjs').Origin }[]}
 */
export function buildApplyRequests(project, { dryRun = false, prune = false, fullRefresh = [] } = {}) {
  const defs = (items) => items.map((i) => i.def);
  const origins = (items) => items.map((i) => i.origin);
  const flags = { dry_run: dryRun, prune };
  const top = project.mlp;
  const topFields = { ...top, fields: { project: { path: ['name'] } } };
  return [
    {
      service: 'warehouse',
      body: {
        project: project.name,
        ...(project.description !== undefined ? { description: project.description } : {}),
        ...(project.owner !== undefined ? { owner: project.owner } : {}),
        sources: defs(project.sources),
        event_schemas: defs(project.eventSchemas),
        models: defs(project.models),
        outcomes: defs(project.outcomes),
        kpis: defs(project.kpis),
        ...flags,
        ...(fullRefresh.length ? { full_refresh: [...fullRefresh] } : {}),
      },
      origins: {
        sources: origins(project.sources),
        event_schemas: origins(project.eventSchemas),
        models: origins(project.models),
        outcomes: origins(project.outcomes),
        kpis: origins(project.kpis),
      },
      top: topFields,
    },
    {
      service: 'features',
      body: {
        project: project.name,
        entities: defs(project.entities),
        feature_views: defs(project.featureViews),
        feature_services: defs(project.featureServices),
        ...flags,
      },
      origins: { entities: origins(project.entities), feature_views: origins(project.featureViews), feature_services: origins(project.featureServices) },
      top: topFields,
    },
    {
      service: 'specs',
      body: { project: project.name, specs: defs(project.specs), ...flags },
      origins: { specs: origins(project.specs) },
      top: topFields,
    },
  ];
}
