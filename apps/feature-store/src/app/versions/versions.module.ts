import { Module } from '@nestjs/common';
import { MaterializationModule } from '../materialization/materialization.module';
import { OnlineModule } from '../online/online.module';
import { RegistryModule } from '../registry/registry.module';
import { VersionRetirementService } from './version-retirement.service';
import { VersionsController } from './versions.controller';

/** The life of view versions online: retirement (automatic and explicit) and restore. */
@Module({ imports: [RegistryModule, OnlineModule, MaterializationModule], controllers: [VersionsController], providers: [VersionRetirementService], exports: [VersionRetirementService] })
export class VersionsModule {}
