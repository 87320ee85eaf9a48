import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from '@mlp/runtime';
import { PLATFORM_CONFIG, SERVICE_DEFINITION, type ServiceDefinition } from './service-definition';
import type { PlatformConfig } from './config/platform-config';
import { Database } from './database/database.service';
import { HealthController } from './health/health.controller';
import { createInfoHandler } from './health/info-handler';
import { PlatformController } from './health/platform.controller';
import { ServiceInfoProvider } from './health/service-info';
import { TokenAuthGuard } from './http/auth';
import { TokenAudit } from './http/token-audit';
import { FastRoutes } from './http/fast-routes';
import { PlatformExceptionFilter } from './http/platform-exception.filter';
import { PLATFORM_LOGGER } from './observability/logger.provider';
import { MetricsService } from './observability/metrics.service';
import { PeerClients } from './transport/peer-clients';
import { TransportAuthInterceptor } from './transport/transport-auth.interceptor';
import { Outbox } from './outbox/outbox';
import { WebhooksController } from './outbox/webhooks.controller';

/** What every service has without writing it: config, logger, database, metrics, auth, health, info. */
@Global()
@Module({})
export class PlatformModule {
  static register(def: ServiceDefinition, config: PlatformConfig, logger: Logger, fastRoutes: FastRoutes = new FastRoutes()): DynamicModule {
    const shared = [Database, MetricsService, PeerClients, ServiceInfoProvider, Outbox, TokenAudit];
    return {
      module: PlatformModule,
      controllers: [HealthController, PlatformController, WebhooksController, createInfoHandler(def.info)],
      providers: [
        { provide: SERVICE_DEFINITION, useValue: def },
        { provide: PLATFORM_CONFIG, useValue: config },
        { provide: PLATFORM_LOGGER, useValue: logger },
        { provide: FastRoutes, useValue: fastRoutes },
        ...shared,
        { provide: APP_GUARD, useClass: TokenAuthGuard },
        { provide: APP_INTERCEPTOR, useClass: TransportAuthInterceptor },
        { provide: APP_FILTER, useClass: PlatformExceptionFilter },
      ],
      exports: [SERVICE_DEFINITION, PLATFORM_CONFIG, PLATFORM_LOGGER, FastRoutes, ...shared],
    };
  }
}
