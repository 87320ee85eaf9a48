import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { compileJsonSchema, type EventSchemaDocument, type RegisteredEventSchema } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { Database, PLATFORM_LOGGER } from '@mlp/service-kit';
import type { EntityManager } from 'typeorm';
import { CompiledPlan } from './compiled-plan';
import { findIncompatibilities } from './schema-compatibility';
import { classifyChange, compareSchemaVer, parseSchemaVer, type SchemaChange } from './schemaver';

interface SchemaRow {
  name: string;
  version: string;
  description: string | null;
  schema: Record<string, unknown>;
  source: 'contracts' | 'api';
  change: SchemaChange;
  registered_at: Date;
}

const REFRESH_MS = 5000;
const HISTORY_SAMPLE = 2000;

/**
 * The tracking plan registry: schemas live in `dwh.event_schemas` (registered through
 * `POST /v1/schemas` or a project's `POST /v1/warehouse/apply`), every replica keeps a compiled copy
 * and refreshes it when the table changes.
 */
@Injectable()
export class SchemaRegistry implements OnModuleInit, OnApplicationShutdown {
  private plan?: CompiledPlan;
  private stamp = '';
  private loading?: Promise<CompiledPlan>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    void this.db.whenReady().then(() => this.current().catch((err) => this.log.warn({ err: String(err) }, 'tracking plan not loaded yet')));
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The compiled plan; the first call loads the table. */
  async current(): Promise<CompiledPlan> {
    if (this.plan) return this.plan;
    this.loading ??= (async () => {
      await this.refresh(true);
      return this.plan as CompiledPlan;
    })().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Reloads the plan when another replica (or this one) registered a version. */
  async refresh(force = false): Promise<void> {
    // The background refresh waits for the database; a forced load (a request needs the plan) goes
    // to it and answers 503 while it has not been reached, never an undefined plan.
    if (!force && !this.db.isConnected) return;
    const [s] = await this.db.query<{ stamp: string }>(`SELECT count(*)::text || '/' || coalesce(max(registered_at)::text, '') AS stamp FROM "dwh".event_schemas`);
    if (!force && s.stamp === this.stamp && this.plan) return;
    const rows = await this.db.query<SchemaRow>(`SELECT name, version, schema FROM "dwh".event_schemas`);
    this.plan = new CompiledPlan(rows);
    this.stamp = s.stamp;
  }

  async list(): Promise<RegisteredEventSchema[]> {
    await this.current();
    const rows = await this.db.query<SchemaRow>(`SELECT * FROM "dwh".event_schemas ORDER BY name, model, revision, addition`);
    return rows.map(toApi);
  }

  async get(name: string, version: string): Promise<RegisteredEventSchema> {
    await this.current();
    const [row] = await this.db.query<SchemaRow>(`SELECT * FROM "dwh".event_schemas WHERE name = $1 AND version = $2`, [name, version]);
    if (!row) throw PlatformError.notFound(`no schema ${name} ${version}`, 'SCHEMA_NOT_FOUND');
    return toApi(row);
  }

  /**
   * Registers a new version. An ADDITION must accept everything the previous version accepted
   * (structurally, and every recently loaded event of that schema), otherwise 409 with the reasons.
   * Registering an identical document again is idempotent.
   */
  async register(doc: EventSchemaDocument): Promise<{ created: boolean; schema: RegisteredEventSchema }> {
    await this.current();
    const result = await this.db.transaction((m) => this.registerIn(m, doc));
    await this.refresh(true);
    return result;
  }

  /**
   * The registration rules inside the caller's transaction (a project's apply registers its
   * schemas atomically with its other definitions); the caller refreshes after commit.
   */
  async registerIn(m: EntityManager, doc: EventSchemaDocument): Promise<{ created: boolean; schema: RegisteredEventSchema }> {
    const ver = parseSchemaVer(doc.version);
    if (!ver) throw PlatformError.badRequest(`${doc.version} is not SchemaVer`, [{ path: '$.version', code: 'PATTERN_MISMATCH', message: 'MODEL-REVISION-ADDITION' }]);
    try {
      compileJsonSchema(doc.schema);
    } catch (err) {
      throw PlatformError.badRequest('schema is not a valid JSON Schema', [{ path: '$.schema', code: 'INVALID_JSON_SCHEMA', message: String((err as Error).message) }], 'INVALID_JSON_SCHEMA');
    }
    const result = await (async () => {
      // One registration per schema name at a time, so two additions cannot both become "next".
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('dwh.event_schemas:' || $1))`, [doc.name]);
      const rows: SchemaRow[] = await m.query(`SELECT * FROM "dwh".event_schemas WHERE name = $1`, [doc.name]);
      const same = rows.find((r) => r.version === doc.version);
      if (same) {
        if (JSON.stringify(canonical(same.schema)) === JSON.stringify(canonical(doc.schema))) return { created: false, row: same };
        throw PlatformError.conflict(`${doc.name} ${doc.version} is already registered with a different schema`, [], 'SCHEMA_VERSION_EXISTS');
      }
      const sorted = rows
        .map((r) => ({ r, v: parseSchemaVer(r.version) as NonNullable<ReturnType<typeof parseSchemaVer>> }))
        .sort((a, b) => compareSchemaVer(a.v, b.v));
      const latest = sorted[sorted.length - 1];
      const kind = classifyChange(latest?.v, ver);
      if ('error' in kind) throw PlatformError.conflict(kind.error, [{ path: '$.version', code: 'VERSION_NOT_NEXT', message: kind.error }], 'VERSION_NOT_NEXT');
      if (kind.change === 'addition' && latest) {
        const problems = findIncompatibilities(latest.r.schema, doc.schema);
        if (problems.length) {
          throw PlatformError.conflict(
            `${doc.version} is not a backward-compatible ADDITION to ${latest.r.version}: ${problems.map((p) => `${p.path} ${p.reason}`).join('; ')}`,
            problems.map((p) => ({ path: p.path, code: 'INCOMPATIBLE_ADDITION', message: p.reason })),
            'INCOMPATIBLE_SCHEMA_CHANGE',
          );
        }
        await this.checkHistory(m, doc, latest.r.version);
      }
      const [row]: SchemaRow[] = await m.query(
        `INSERT INTO "dwh".event_schemas (name, version, model, revision, addition, description, schema, source, change)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, 'api', $8) RETURNING *`,
        [doc.name, doc.version, ver.model, ver.revision, ver.addition, doc.description ?? null, JSON.stringify(doc.schema), kind.change],
      );
      return { created: true, row };
    })();
    return { created: result.created, schema: toApi(result.row) };
  }

  // The structural check is conservative; recent real events of the schema must validate too
  // (a row's schema is `schema_name`, set when it is not the row's `event`: see EventRow).
  private async checkHistory(m: { query: (sql: string, p?: unknown[]) => Promise<unknown> }, doc: EventSchemaDocument, previous: string) {
    const rows = (await m.query(
      `SELECT message_id, properties FROM "dwh".events WHERE coalesce(schema_name, event) = $1 AND schema_version = $2 ORDER BY loaded_at DESC LIMIT ${HISTORY_SAMPLE}`,
      [doc.name, previous],
    )) as Array<{ message_id: string; properties: unknown }>;
    if (!rows.length) return;
    const validate = compileJsonSchema(doc.schema);
    const broken = rows.filter((r) => !validate(r.properties)).slice(0, 5);
    if (broken.length) {
      throw PlatformError.conflict(
        `${doc.version} rejects events already loaded under ${previous}`,
        broken.map((r) => ({ path: '$', code: 'HISTORICAL_DATA_INVALID', message: `messageId ${r.message_id}` })),
        'INCOMPATIBLE_SCHEMA_CHANGE',
      );
    }
  }
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

function toApi(r: SchemaRow): RegisteredEventSchema {
  return {
    name: r.name,
    version: r.version,
    description: r.description,
    schema: r.schema,
    source: r.source,
    change: r.change,
    registeredAt: new Date(r.registered_at).toISOString(),
  };
}
