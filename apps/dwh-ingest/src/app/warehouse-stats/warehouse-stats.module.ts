import { Module } from '@nestjs/common';
import { TransformationsModule } from '../transformations/transformations.module';
import { WarehouseCatalog } from '../warehouse/warehouse-catalog';
import { WarehouseStatsController } from './warehouse-stats.controller';
import { WarehouseStats } from './warehouse-stats.service';

@Module({ imports: [TransformationsModule], controllers: [WarehouseStatsController], providers: [WarehouseStats, WarehouseCatalog] })
export class WarehouseStatsModule {}
