import { Module } from '@nestjs/common';
import { AppliedOutcomes } from './applied-outcomes';
import { OutcomesController } from './outcomes.controller';
import { PredictionOutcomes } from './prediction-outcomes.service';
import { WarehouseCatalog } from '../warehouse/warehouse-catalog';

@Module({ controllers: [OutcomesController], providers: [AppliedOutcomes, PredictionOutcomes, WarehouseCatalog], exports: [AppliedOutcomes] })
export class OutcomesModule {}
