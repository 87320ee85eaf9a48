import { Module } from '@nestjs/common';
import { SessionModule } from '../database/session.module';
import { DemoDefinitionsLoader } from './demo-definitions.loader';
import { FeatureRegistry } from './feature-registry.service';
import { RegistryController } from './registry.controller';

@Module({ imports: [SessionModule], controllers: [RegistryController], providers: [FeatureRegistry, DemoDefinitionsLoader], exports: [FeatureRegistry, SessionModule] })
export class RegistryModule {}
