import { Module } from '@nestjs/common';
import { SlaController } from './sla.controller';
import { SlaMonitor } from './sla-monitor.service';
import { WarehouseCatalog } from '../warehouse/warehouse-catalog';

@Module({ controllers: [SlaController], providers: [SlaMonitor, WarehouseCatalog] })
export class SlaModule {}
