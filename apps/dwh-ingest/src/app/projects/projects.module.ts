import { Module } from '@nestjs/common';
import { SchemasModule } from '../schemas/schemas.module';
import { ProjectsController } from './projects.controller';
import { WarehouseApply } from './warehouse-apply.service';

@Module({ imports: [SchemasModule], controllers: [ProjectsController], providers: [WarehouseApply] })
export class ProjectsModule {}
