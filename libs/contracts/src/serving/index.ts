export * from './model-serving.contracts';
