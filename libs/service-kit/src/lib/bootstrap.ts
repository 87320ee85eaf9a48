import 'reflect-metadata';
import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { listContracts } from '@mlp/contracts';
import { acceptRequestId, ConfigError, createLogger, requestContext, type Logger } from '@mlp/runtime';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import { DataSource } from 'typeorm';
import { envSchemaOf, loadPlatformConfig, type PlatformConfig } from './config/platform-config';
import { Database } from './database/database.service';
import { runMigrations } from './database/migrations';
import { ServiceInfoProvider } from './health/service-info';
import { errorSchema } from './http/api-contract';
import { createFastDispatch, FastRoutes } from './http/fast-routes';
import { completeOpenApiDocument, type OpenApiDocument } from './http/openapi-document';
import { TokenAudit } from './http/token-audit';
import { clientErrorHandler, guardRequests } from './http/request-text';
import { PlatformModule } from './platform.module';
import { NestPinoLogger } from './observability/logger.provider';
import { MetricsService } from './observability/metrics.service';
import type { ServiceDefinition } from './service-definition';
import { serverTransportOptions } from './transport/transport-options';

export interface RunningService {
  app: NestFastifyApplication;
  config: PlatformConfig;
  logger: Logger;
  /** Base URL of the HTTP listener, e.g. http://127.0.0.1:3001 */
  url: string;
  /** Stops accepting, drains in-flight requests and messages, flushes, closes the database. */
  shutdown(reason?: string): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Wait for the database to be connected (and migrated) before resolving. */
  waitForDatabase?: boolean;
  /** Called when the service cannot go on (e.g. a migration failed); runService exits the process. */
  onFatal?: (err: unknown) => void;
}

/**
 * Starts a service the one way every service starts: Fastify HTTP + the microservice transport
 * (TCP, or NATS when NATS_URL is set), request ids, metrics, errors, auth, OpenAPI, shutdown.
 */
export async function startService(def: ServiceDefinition, appModule: Type<unknown>, options: StartOptions = {}): Promise<RunningService> {
  const config = loadPlatformConfig(def, options.env ?? process.env);
  const logger = options.logger ?? createLogger(def.name, config.env.LOG_LEVEL);
  if (!config.credentials.secret) {
    logger.warn('transport messages are not authenticated: no TRANSPORT_SECRET (the embedded default). Set it on every service to have messages signed and forged ones refused.');
  }
  if (config.authOpen) {
    logger.warn(
      '!!! AUTHENTICATION IS OFF: embedded profile without AUTH_TOKENS or AUTH_TOKENS_FILE. Anyone who can reach this port can call every endpoint. Set PLATFORM_PROFILE=production and AUTH_TOKENS_FILE (or AUTH_TOKENS) for real deployments. !!!',
    );
  }

  const fastRoutes = new FastRoutes();
  // Set once the app exists (the dispatch needs its metrics); the server is created before that.
  const front: { dispatch?: (req: IncomingMessage, res: ServerResponse) => boolean } = {};

  @Module({ imports: [PlatformModule.register(def, config, logger, fastRoutes), appModule] })
  class ServiceRootModule {}

  const adapter = new FastifyAdapter({
    bodyLimit: config.env.BODY_LIMIT_BYTES,
    trustProxy: true,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // No service uses NestJS (Express-style) middleware; @fastify/middie would otherwise run a path
    // match on every request. A service that adds middleware fails at start, not silently.
    skipMiddie: true,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => acceptRequestId(req.headers['x-request-id']),
    logger: false,
    // What the HTTP parser refuses is answered in the one error shape too, with a code.
    clientErrorHandler,
    // Fastify's own server, with a front for the kit's fast routes (see FastRoutes): a request they
    // take never reaches Fastify; every other request goes to Fastify's handler untouched.
    serverFactory: (handler: http.RequestListener, opts: FastifyServerOptions) => {
      const server = http.createServer({}, (req, res) => {
        if (front.dispatch?.(req, res)) return;
        handler(req, res);
      });
      server.keepAliveTimeout = opts.keepAliveTimeout ?? 72_000;
      server.requestTimeout = opts.requestTimeout ?? 0;
      server.setTimeout(opts.connectionTimeout ?? 0);
      if (opts.maxRequestsPerSocket) server.maxRequestsPerSocket = opts.maxRequestsPerSocket;
      return server;
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(ServiceRootModule, adapter, {
    logger: new NestPinoLogger(logger),
    bufferLogs: false,
    abortOnError: false,
    // The kit registers the one JSON body parser (guardRequests); Nest's would replace it at init.
    bodyParser: false,
  });

  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsService);
  metrics.setServiceLabel(def.name);
  // Every request's text is checked here once: JSON bodies, path parameters, query strings.
  guardRequests(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    requestContext.run({ requestId: request.id }, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttp(request.method, request.routeOptions?.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  let draining = false;
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    // Answers finished while draining close their keep-alive connection, so shutdown is not held
    // open by idle clients until their keep-alive timeout.
    if (draining) void reply.header('connection', 'close');
    done(null, payload);
  });
  front.dispatch = createFastDispatch({
    routes: fastRoutes,
    config,
    metrics,
    logger,
    bodyLimit: config.env.BODY_LIMIT_BYTES,
    draining: () => draining,
    audit: app.get(TokenAudit),
  });

  SwaggerModule.setup('docs', app, buildOpenApiDocument(def, app), { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });

  app.connectMicroservice(serverTransportOptions(def.name, config), { inheritAppConfig: true });
  const db = app.get(Database);
  const connected = db.connect();
  if (options.waitForDatabase) {
    try {
      await connected;
    } catch (err) {
      await app.close();
      throw err;
    }
  } else {
    connected.catch((err) => options.onFatal?.(err));
  }
  await app.startAllMicroservices();
  await app.listen(config.env.PORT, config.env.HTTP_HOST);
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.env.PORT;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url, transport: config.transport, tcpPort: config.transport === 'tcp' ? config.env.TCP_PORT : undefined, profile: config.profile }, `${def.name} listening`);

  let closing: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown') =>
    (closing ??= (async () => {
      logger.info({ reason }, 'shutting down: draining in-flight work');
      app.get(ServiceInfoProvider).shuttingDown = true;
      draining = true;
      await app.close();
      logger.info('shutdown complete');
    })());
  return { app, config, logger, url, shutdown };
}

/** The service's OpenAPI document: its routes as documented by `@ApiContract`, every contract as a component. */
export function buildOpenApiDocument(def: ServiceDefinition, app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(def.name)
      .setDescription(`${def.description}\n\n${API_CONVENTIONS}`)
      .setVersion(def.version)
      .addBearerAuth(undefined, 'bearer')
      .build(),
  );
  document.components = { ...document.components, schemas: { ...(document.components?.schemas ?? {}) } };
  for (const c of listContracts()) (document.components.schemas as Record<string, unknown>)[c.id] = c.jsonSchema;
  return completeOpenApiDocument(document as OpenAPIObject & OpenApiDocument, errorSchema);
}

const API_CONVENTIONS = [
  'Every error is `{"error", "code", "details", "requestId"}` with a machine-readable `code`; each operation lists the codes it can answer by status.',
  'Routes that need a token take `Authorization: Bearer <token>` (401 UNAUTHENTICATED without a valid one, 403 FORBIDDEN without the scope).',
  'Every answer carries `x-request-id` (sent by the client, or made by the service).',
].join(' ');

/**
 * The OpenAPI document of a service without serving it: the app is created (no database, no
 * transport, no listener) only for Swagger to read its routes. What `main.js openapi` prints.
 */
export async function openApiDocumentOf(def: ServiceDefinition, appModule: Type<unknown>): Promise<OpenAPIObject> {
  const config = loadPlatformConfig(def, {
    PATH: process.env['PATH'],
    PLATFORM_PROFILE: 'embedded',
    LOG_LEVEL: 'fatal',
    // Never connected: the document needs the routes only.
    DATABASE_URL: 'postgres://openapi@127.0.0.1:1/openapi',
    // The service's own variables come from the caller (e.g. where a console finds its web bundle).
    ...Object.fromEntries(Object.keys(def.env ?? {}).map((name) => [name, process.env[name]])),
  });
  const logger = createLogger(def.name, 'fatal');
  @Module({ imports: [PlatformModule.register(def, config, logger), appModule] })
  class DocumentRootModule {}
  const app = await NestFactory.create<NestFastifyApplication>(DocumentRootModule, new FastifyAdapter({ logger: false }), {
    logger: false,
    abortOnError: false,
    bodyParser: false,
  });
  return buildOpenApiDocument(def, app);
}

/**
 * The entry point of every app's main.ts. `node main.js` serves; `node main.js migrate` applies
 * pending migrations and exits (what a Kubernetes Job or init container runs).
 */
export async function runService(def: ServiceDefinition, appModule: Type<unknown>): Promise<void> {
  const command = process.argv[2] ?? 'serve';
  let service: RunningService | undefined;
  try {
    if (command === 'migrate') {
      await migrateOnly(def);
      return;
    }
    if (command === 'env-schema') {
      // The JSON Schema of the environment this service reads (deploy checks compare manifests to it).
      process.stdout.write(`${JSON.stringify(envSchemaOf(def), null, 2)}\n`);
      return;
    }
    if (command === 'openapi') {
      // The OpenAPI document, without a database (the docs check reads it: tools/docs/check-openapi.mjs).
      const document = await openApiDocumentOf(def, appModule);
      process.stdout.write(`${JSON.stringify(document, null, 2)}\n`, () => process.exit(0));
      return;
    }
    if (command !== 'serve') throw new ConfigError([{ variable: 'argv', message: `unknown command ${command} (serve | migrate | env-schema | openapi)` }]);
    service = await startService(def, appModule, {
      onFatal: (err) => {
        process.stderr.write(`${def.name}: cannot continue: ${(err as Error)?.message ?? String(err)}\n`);
        process.exit(1);
      },
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${def.name}: ${err.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`${def.name}: failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  }
  const running = service;
  const stop = (reason: string) => {
    const timer = setTimeout(() => {
      running.logger.error({ timeoutMs: running.config.env.SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out, exiting');
      process.exit(1);
    }, running.config.env.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    running.shutdown(reason).then(
      () => process.exit(0),
      (err) => {
        running.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  const parent = running.config.env.PLATFORM_PARENT_PID;
  if (parent) {
    // Started by the platform runner: never outlive it, even if it was killed with SIGKILL.
    setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        stop('parent process exited');
      }
    }, 1000).unref();
  }
  process.on('unhandledRejection', (reason) => running.logger.error({ err: reason }, 'unhandled rejection'));
}

async function migrateOnly(def: ServiceDefinition): Promise<void> {
  const config = loadPlatformConfig(def, process.env, 'migrate');
  const logger = createLogger(def.name, config.env.LOG_LEVEL);
  const ds = new DataSource({
    type: 'postgres',
    url: config.env.DATABASE_URL,
    schema: def.schema,
    migrations: def.migrations,
    migrationsTableName: 'migrations',
    applicationName: `${def.name}-migrate`,
  });
  await ds.initialize();
  try {
    const applied = await runMigrations(ds, def.schema);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'no pending migrations');
  } finally {
    await ds.destroy();
  }
}

export type { INestApplication };
