import { Module } from '@nestjs/common';
import { TransformationRunner } from './transformation-runner.service';
import { TransformationsController } from './transformations.controller';

@Module({ controllers: [TransformationsController], providers: [TransformationRunner], exports: [TransformationRunner] })
export class TransformationsModule {}
