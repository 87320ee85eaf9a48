export * from './console.contracts';
