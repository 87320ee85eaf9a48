import { Module } from '@nestjs/common';
import { FailedEventsModule } from './failed-events/failed-events.module';
import { ImportsModule } from './imports/imports.module';
import { KpisModule } from './kpis/kpis.module';
import { LiveQualityModule } from './live-quality/live-quality.module';
import { OutcomesModule } from './outcomes/outcomes.module';
import { PredictionLogModule } from './prediction-log/prediction-log.module';
import { ProjectsModule } from './projects/projects.module';
import { SchemasModule } from './schemas/schemas.module';
import { TrackingModule } from './tracking/tracking.module';
import { SlaModule } from './sla/sla.module';
import { TransformationsModule } from './transformations/transformations.module';
import { WarehouseStatsModule } from './warehouse-stats/warehouse-stats.module';

/** The dwh-ingest features; platform concerns (health, metrics, auth, database) come from the kit. */
@Module({ imports: [SchemasModule, TrackingModule, FailedEventsModule, PredictionLogModule, TransformationsModule, SlaModule, ImportsModule, ProjectsModule, OutcomesModule, LiveQualityModule, KpisModule, WarehouseStatsModule] })
export class AppModule {}
