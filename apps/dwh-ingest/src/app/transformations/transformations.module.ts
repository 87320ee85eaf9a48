import { Module } from '@nestjs/common';
import { TransformationRunner } from './transformation-runner.service';
import { TransformationsController } from './transformations.controller';
import { WarehouseCatalog } from '../warehouse/warehouse-catalog';

@Module({ controllers: [TransformationsController], providers: [TransformationRunner, WarehouseCatalog], exports: [TransformationRunner] })
export class TransformationsModule {}
