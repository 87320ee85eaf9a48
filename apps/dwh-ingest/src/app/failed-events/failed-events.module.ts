import { Module } from '@nestjs/common';
import { SchemasModule } from '../schemas/schemas.module';
import { FailedEventsController } from './failed-events.controller';
import { FailedEventsService } from './failed-events.service';

@Module({ imports: [SchemasModule], controllers: [FailedEventsController], providers: [FailedEventsService] })
export class FailedEventsModule {}
