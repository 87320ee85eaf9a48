import { Module } from '@nestjs/common';
import { ServingModule } from './serving.module';

/** The model-serving features; platform concerns (health, metrics, auth, database) come from the kit. */
@Module({ imports: [ServingModule] })
export class AppModule {}
