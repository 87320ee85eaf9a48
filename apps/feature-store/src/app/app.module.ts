import { Module } from '@nestjs/common';

/** The feature-store features; platform concerns (health, metrics, auth, database) come from the kit. */
@Module({})
export class AppModule {}
