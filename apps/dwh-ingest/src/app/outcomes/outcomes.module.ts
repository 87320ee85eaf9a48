import { Module } from '@nestjs/common';
import { AppliedOutcomes } from './applied-outcomes';
import { OutcomesController } from './outcomes.controller';
import { PredictionOutcomes } from './prediction-outcomes.service';

@Module({ controllers: [OutcomesController], providers: [AppliedOutcomes, PredictionOutcomes], exports: [AppliedOutcomes] })
export class OutcomesModule {}
