import { Module } from '@nestjs/common';
import { KpisController } from './kpis.controller';
import { Kpis } from './kpis.service';

@Module({ controllers: [KpisController], providers: [Kpis] })
export class KpisModule {}
