import { InfoMessages, ServiceName } from '@mlp/contracts';
import type { ServiceDefinition } from '@mlp/service-kit';
import { Type } from '@sinclair/typebox';
import { migrations } from './migrations';

export const service: ServiceDefinition = {
  name: ServiceName.DWH_INGEST,
  version: process.env['SERVICE_VERSION'] ?? '0.1.0',
  description: 'Product and third-party events into the PostgreSQL warehouse: raw, staging, marts, SLAs',
  schema: 'dwh',
  httpPort: 3001,
  tcpPort: 4001,
  migrations,
  info: InfoMessages[ServiceName.DWH_INGEST],
  peers: [],
  env: {
    TRANSFORM_INTERVAL_SECONDS: Type.Integer({ minimum: 0, default: 300, description: 'Run the model DAG this often (0: only on POST /v1/transformations/run)' }),
    TRANSFORM_STATEMENT_TIMEOUT_SECONDS: Type.Integer({
      minimum: 1,
      default: 900,
      description: "Statement timeout of each model build and data test (a team's SQL cannot hold the warehouse longer)",
    }),
    SLA_CHECK_INTERVAL_SECONDS: Type.Integer({ minimum: 0, default: 60, description: 'Evaluate freshness/completeness SLAs this often (0: only on GET /v1/sla)' }),
    INGEST_GROUP_COMMIT_MAX_ROWS: Type.Integer({
      minimum: 0,
      default: 5000,
      description: 'Group commit: concurrent tracking requests are written in one commit of at most this many events (0: one commit per request)',
    }),
    INGEST_GROUP_COMMIT_MAX_BYTES: Type.Integer({ minimum: 0, default: 8388608, description: 'Group commit: at most this many bytes of COPY text in one commit (0: one commit per request)' }),
    INGEST_GROUP_COMMIT_MAX_WAIT_MS: Type.Integer({
      minimum: 0,
      default: 20,
      description: 'Group commit: a request queued behind a busy write waits at most this long before a further write starts for it (0: one commit per request)',
    }),
    OUTCOMES_REFRESH_SECONDS: Type.Integer({
      minimum: 0,
      default: 300,
      description: 'Relabel live predictions from their models\' outcomes (dwh.prediction_outcomes) this often (0: only on POST /v1/outcomes/refresh)',
    }),
    OUTCOMES_LOOKBACK_HOURS: Type.Integer({
      minimum: 0,
      default: 72,
      description: 'Time-based outcomes refresh incrementally: a label settles this long after its horizon ended (a later outcome row changes it only on a full refresh; 0: always full)',
    }),
    OUTCOMES_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 300000, description: 'Statement timeout of one model\'s outcome labelling (its READ ONLY transaction)' }),
    KPI_REPORT_POLL_MS: Type.Integer({ minimum: 0, default: 30000, description: 'How often KPIs with a report schedule are checked for a due report; 0 = never' }),
    KPI_REPORT_CATCH_UP_MS: Type.Integer({ minimum: 1000, default: 3600000, description: 'A report occurrence older than this when first seen (a replica down over it) is skipped' }),
    KPI_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 15000, description: 'Statement timeout of one KPI read (GET /v1/kpis/{name}); past it the answer is 422 KPI_FAILED' }),
    SLA_OVERRIDES: Type.Optional(
      Type.String({ description: 'JSON {"<dataset>": {"warnAfter": n, "errorAfter": n}}: seconds for freshness, ratios for completeness' }),
    ),
  },
};
