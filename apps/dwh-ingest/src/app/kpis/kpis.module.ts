import { Module } from '@nestjs/common';
import { KpisController } from './kpis.controller';
import { Kpis } from './kpis.service';
import { WarehouseCatalog } from '../warehouse/warehouse-catalog';

@Module({ controllers: [KpisController], providers: [Kpis, WarehouseCatalog] })
export class KpisModule {}
