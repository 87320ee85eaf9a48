export * from './prediction-log.contracts';
export * from './tracking.contracts';
export * from './tracking-plan.contracts';
export * from './dwh-events.contracts';
export * from './sla.contracts';
export * from './imports.contracts';
export * from './failed-events.contracts';
export * from './transformations.contracts';
