import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { DEMO_DEFINITIONS } from './demo-definitions';
import { FeatureRegistry } from './feature-registry.service';

/** Applies the demo definitions once the database is reachable; a missing mart is reported, not fatal. */
@Injectable()
export class DemoDefinitionsLoader implements OnApplicationBootstrap {
  constructor(
    private readonly registry: FeatureRegistry,
    private readonly db: Database,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.env['FEATURE_STORE_DEMO_DEFINITIONS'] === false) return;
    void this.db
      .whenReady()
      .then(() => this.registry.apply(DEMO_DEFINITIONS))
      .then((plan) => this.log.info({ created: plan.created.length, changed: plan.changed.length, sources: plan.sources }, 'demo feature definitions applied'))
      .catch((err) => this.log.error({ err: String(err) }, 'demo feature definitions could not be applied'));
  }
}
