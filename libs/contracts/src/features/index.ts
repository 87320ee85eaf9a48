export * from './online-features.contracts';
export * from './feature-definitions.contracts';
export * from './feature-retrieval.contracts';
