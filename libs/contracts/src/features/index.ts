export * from './online-features.contracts';
