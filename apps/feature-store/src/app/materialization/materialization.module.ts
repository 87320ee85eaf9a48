import { Module } from '@nestjs/common';
import { OnlineModule } from '../online/online.module';
import { RegistryModule } from '../registry/registry.module';
import { MaterializationController } from './materialization.controller';
import { MaterializationService } from './materialization.service';

@Module({ imports: [RegistryModule, OnlineModule], controllers: [MaterializationController], providers: [MaterializationService], exports: [MaterializationService] })
export class MaterializationModule {}
