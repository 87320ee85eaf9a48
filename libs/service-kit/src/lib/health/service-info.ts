import { Inject, Injectable } from '@nestjs/common';
import type { ServiceInfo } from '@mlp/contracts';
import { requestContext } from '@mlp/runtime';
import { PLATFORM_CONFIG, SERVICE_DEFINITION, type ServiceDefinition } from '../service-definition';
import type { PlatformConfig } from '../config/platform-config';
import { Database } from '../database/database.service';

@Injectable()
export class ServiceInfoProvider {
  private readonly startedAt = new Date().toISOString();
  /** Set when shutdown begins, so readiness turns 503 before the listener closes. */
  shuttingDown = false;

  constructor(
    @Inject(SERVICE_DEFINITION) private readonly def: ServiceDefinition,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    private readonly db: Database,
  ) {}

  info(): ServiceInfo {
    return {
      service: this.def.name,
      version: this.def.version,
      schema: this.def.schema,
      migrations: this.db.migrations,
      transport: this.config.transport,
      profile: this.config.profile,
      startedAt: this.startedAt,
      requestId: requestContext.requestId() ?? 'none',
    };
  }
}
