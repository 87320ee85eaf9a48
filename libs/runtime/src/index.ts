export * from './lib/env-config';
export * from './lib/token-auth';
export * from './lib/request-context';
export * from './lib/logger';
export * from './lib/platform-error';
export * from './lib/embedded-postgres';
export * from './lib/worker-thread';
export * from './lib/token-file';
