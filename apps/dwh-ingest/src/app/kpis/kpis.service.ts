import { Inject, Injectable } from '@nestjs/common';
import { KPI_MAX_POINTS, KpiDefinition, KpiErrorCode, type KpiPoint, type KpiSeries, type KpiSummary } from '@mlp/contracts';
import { isDependencyDown, PlatformError } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, type PlatformConfig } from '@mlp/service-kit';
import { IDENTIFIER } from '../warehouse/identifiers';
import { WarehouseCatalog } from '../warehouse/warehouse-catalog';
import { readOnlyForDefinitionSql } from '../warehouse/read-only';
import { definitionSqlProblem } from '../warehouse/select-check';
import { kpiPointsQuery, type KpiRange } from './kpi-sql';


interface PointRow {
  date: string;
  value: number | null;
  dimension: string | null;
}

const failed = (name: string, message: string) => new PlatformError(422, KpiErrorCode.KPI_FAILED, `KPI ${name} failed: ${message}`);

/**
 * KPIs applied by projects (`dwh.project_objects`, kind `kpi`): listed, and read as points over a
 * date range. A KPI's SQL runs only after it parses as one SELECT, in a READ ONLY transaction with
 * KPI_STATEMENT_TIMEOUT_MS; its failure (PostgreSQL's message, or the timeout) is a 422 KPI_FAILED,
 * a database outage a 503.
 */
@Injectable()
export class Kpis {
  private readonly timeoutMs: number;

  constructor(
    private readonly db: Database,
    private readonly catalog: WarehouseCatalog,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
  ) {
    this.timeoutMs = config.env['KPI_STATEMENT_TIMEOUT_MS'] as number;
  }

  async list(): Promise<KpiSummary[]> {
    return (await this.catalog.objects('kpi')).map((r) => ({
      name: r.name,
      project: r.project,
      description: typeof r.def['description'] === 'string' ? r.def['description'] : null,
      unit: typeof r.def['unit'] === 'string' ? r.def['unit'] : null,
      dimensional: typeof r.def['dimension_column'] === 'string',
    }));
  }

  /** The KPI's definition, or 404 UNKNOWN_KPI; 422 KPI_FAILED when the stored definition is not one. */
  async definition(name: string): Promise<KpiDefinition> {
    // Not a KPI name (e.g. a path segment holding U+0000, which PostgreSQL cannot even compare): unknown.
    if (!IDENTIFIER.test(name)) throw PlatformError.notFound(`unknown KPI ${name.slice(0, 100)}`, KpiErrorCode.UNKNOWN_KPI);
    const [row] = await this.catalog.objects('kpi', name);
    if (!row) throw PlatformError.notFound(`unknown KPI ${name}`, KpiErrorCode.UNKNOWN_KPI);
    const checked = KpiDefinition.validate({ ...row.def, name: row.name });
    if (!checked.ok) throw failed(name, `the stored definition does not satisfy dwh.KpiDefinition: ${checked.violations.map((v) => `${v.path} ${v.message}`).join('; ')}`);
    return checked.value;
  }

  async points(def: KpiDefinition, range: KpiRange): Promise<KpiSeries> {
    const problem = await definitionSqlProblem(def.sql);
    if (problem) throw failed(def.name, problem);
    let query: { sql: string; params: unknown[] };
    try {
      query = kpiPointsQuery(def, range);
    } catch (err) {
      throw failed(def.name, (err as Error).message);
    }
    let rows: PointRow[];
    try {
      rows = await this.db.transaction(async (m) => {
        await readOnlyForDefinitionSql((sql, params) => m.query(sql, params), this.timeoutMs);
        return (await m.query(query.sql, query.params)) as PointRow[];
      });
    } catch (err) {
      if (err instanceof PlatformError || isDependencyDown(err)) throw err;
      throw failed(def.name, (err as Error)?.message ?? String(err));
    }
    if (rows.length > KPI_MAX_POINTS) {
      throw new PlatformError(422, KpiErrorCode.KPI_TOO_MANY_POINTS, `KPI ${def.name} has more than ${KPI_MAX_POINTS} points in the range: narrow it (from, to) or pick a dimension`);
    }
    const dimensional = def.dimension_column !== undefined;
    return {
      name: def.name,
      unit: def.unit ?? null,
      from: range.from ?? null,
      to: range.to ?? null,
      ...(range.dimension !== undefined ? { dimension: range.dimension } : {}),
      points: rows.map((r): KpiPoint => ({ date: r.date, value: r.value === null ? null : Number(r.value), ...(dimensional ? { dimension: r.dimension } : {}) })),
    };
  }
}
