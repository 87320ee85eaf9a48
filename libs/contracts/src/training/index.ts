export * from './model-artifact.contracts';
