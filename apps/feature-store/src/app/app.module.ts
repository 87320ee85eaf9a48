import { Module } from '@nestjs/common';
import { FreshnessModule } from './freshness/freshness.module';
import { MaterializationModule } from './materialization/materialization.module';
import { OnlineModule } from './online/online.module';
import { RegistryModule } from './registry/registry.module';
import { RetrievalModule } from './retrieval/retrieval.module';
import { VersionsModule } from './versions/versions.module';

/** The feature-store features; platform concerns (health, metrics, auth, database) come from the kit. */
@Module({ imports: [RegistryModule, OnlineModule, RetrievalModule, MaterializationModule, FreshnessModule, VersionsModule] })
export class AppModule {}
