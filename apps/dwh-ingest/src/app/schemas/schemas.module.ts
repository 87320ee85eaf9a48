import { Module } from '@nestjs/common';
import { SchemaRegistry } from './schema-registry.service';
import { SchemasController } from './schemas.controller';

@Module({ controllers: [SchemasController], providers: [SchemaRegistry], exports: [SchemaRegistry] })
export class SchemasModule {}
