import { Module } from '@nestjs/common';
import { KpisController } from './kpis.controller';
import { Kpis } from './kpis.service';
import { KpiReports } from './kpi-reports';
import { WarehouseCatalog } from '../warehouse/warehouse-catalog';

@Module({ controllers: [KpisController], providers: [Kpis, KpiReports, WarehouseCatalog] })
export class KpisModule {}
