export * from './lib/contract-exports';
export * from './platform/platform.contracts';
export * from './dwh';
export * from './features';
export * from './training';
export * from './serving';
export * from './console';
