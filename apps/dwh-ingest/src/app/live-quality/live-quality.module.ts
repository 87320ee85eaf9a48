import { Module } from '@nestjs/common';
import { LiveQualityController } from './live-quality.controller';
import { LiveQualityService } from './live-quality.service';

@Module({ controllers: [LiveQualityController], providers: [LiveQualityService] })
export class LiveQualityModule {}
