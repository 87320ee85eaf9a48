import { Module } from '@nestjs/common';
import { Database, PLATFORM_CONFIG, type PlatformConfig } from '@mlp/service-kit';
import { RegistryModule } from '../registry/registry.module';
import { OnlineFeaturesController } from './online-features.controller';
import { LeanOnlineRoute } from './lean-online-route';
import { OnlineFeaturesService } from './online-features.service';
import { ONLINE_STORE } from './online-store';
import { OnlineWriter } from './online-writer.service';
import { PostgresOnlineStore } from './postgres-online-store';
import { PushService } from './push.service';
import { RedisOnlineStore } from './redis-online-store';

@Module({
  imports: [RegistryModule],
  controllers: [OnlineFeaturesController],
  providers: [
    {
      provide: ONLINE_STORE,
      inject: [PLATFORM_CONFIG, Database],
      // Redis when REDIS_URL is set (production), the PostgreSQL table otherwise.
      useFactory: (config: PlatformConfig, db: Database) =>
        config.env.REDIS_URL ? new RedisOnlineStore(config.env.REDIS_URL, String(config.env['ONLINE_STORE_PREFIX'] ?? 'fs')) : new PostgresOnlineStore(db),
    },
    OnlineWriter,
    OnlineFeaturesService,
    LeanOnlineRoute,
    PushService,
  ],
  exports: [OnlineWriter, ONLINE_STORE],
})
export class OnlineModule {}
