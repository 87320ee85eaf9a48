export * from './prediction-log.contracts';
