import { Module } from '@nestjs/common';
import { RegistryModule } from '../registry/registry.module';
import { HistoricalFeaturesController } from './historical-features.controller';
import { HistoricalFeaturesService } from './historical-features.service';

@Module({ imports: [RegistryModule], controllers: [HistoricalFeaturesController], providers: [HistoricalFeaturesService] })
export class RetrievalModule {}
