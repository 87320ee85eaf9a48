export * from './call-service';
export * from './test-database';
export * from './test-service';
