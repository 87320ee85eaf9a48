export * from './model-artifact.contracts';
export * from './model-spec.contracts';
export * from './training-run.contracts';
export * from './experiment.contracts';
