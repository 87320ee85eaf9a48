// The kit's transport client on its own, for code that runs outside the Nest application (worker
// threads): importing it does not load Nest's HTTP stack, Fastify, TypeORM or the health checks.
export * from './lib/transport/service-client';
export * from './lib/transport/transport-options';
export * from './lib/transport/transport-auth';
