import { Module } from '@nestjs/common';
import { RegistryModule } from '../registry/registry.module';
import { FreshnessController } from './freshness.controller';
import { FreshnessMonitor } from './freshness-monitor.service';

@Module({ imports: [RegistryModule], controllers: [FreshnessController], providers: [FreshnessMonitor], exports: [FreshnessMonitor] })
export class FreshnessModule {}
