import { Module } from '@nestjs/common';
import { PredictionLogController } from './prediction-log.controller';
import { PredictionLogService } from './prediction-log.service';

@Module({ controllers: [PredictionLogController], providers: [PredictionLogService], exports: [PredictionLogService] })
export class PredictionLogModule {}
