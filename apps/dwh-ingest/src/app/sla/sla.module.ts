import { Module } from '@nestjs/common';
import { SlaController } from './sla.controller';
import { SlaMonitor } from './sla-monitor.service';

@Module({ controllers: [SlaController], providers: [SlaMonitor] })
export class SlaModule {}
