import { Module } from '@nestjs/common';
import { OutcomesModule } from '../outcomes/outcomes.module';
import { LiveQualityController } from './live-quality.controller';
import { LiveQualityService } from './live-quality.service';

@Module({ imports: [OutcomesModule], controllers: [LiveQualityController], providers: [LiveQualityService] })
export class LiveQualityModule {}
