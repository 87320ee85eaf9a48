import { Module } from '@nestjs/common';
import { SessionModule } from '../database/session.module';
import { FeatureRegistry } from './feature-registry.service';
import { RegistryController } from './registry.controller';
import { VersionUsageTracker } from './version-usage.service';

@Module({ imports: [SessionModule], controllers: [RegistryController], providers: [FeatureRegistry, VersionUsageTracker], exports: [FeatureRegistry, VersionUsageTracker, SessionModule] })
export class RegistryModule {}
