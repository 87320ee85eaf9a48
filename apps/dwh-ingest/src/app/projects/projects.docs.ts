import type { ApiContractOptions } from '@mlp/service-kit';

// The project routes' OpenAPI documentation (kept beside the controller so its diff stays small).

const EXAMPLE_PROJECT = {
  name: 'warm-colours',
  description: 'Is a colour warm or cool? A static labelled table (no events, no timestamps) imported from a CSV, one mart, three features and a logistic regression served over KServe V2.',
  owner: 'design-tools',
  version: 1,
  applied_at: '2026-12-07T09:57:18.328Z',
  applied_by: 'ci-design-tools',
  objects: { model: 1, source: 1, outcome: 1 },
};
const SOURCE = {
  name: 'colours',
  description: 'Colours labelled warm (1) or cool (0) by designers; data/colours.csv',
  columns: [
    { name: 'colour_id', type: 'text', required: true, max_length: 32 },
    { name: 'r', type: 'integer', required: true, minimum: 0, maximum: 255 },
    { name: 'g', type: 'integer', required: true, minimum: 0, maximum: 255 },
    { name: 'b', type: 'integer', required: true, minimum: 0, maximum: 255 },
    { name: 'is_warm', type: 'integer', required: true, minimum: 0, maximum: 1 },
  ],
  primary_key: ['colour_id'],
};
const MODEL = {
  name: 'mart_colours',
  description: 'One row per labelled colour, with the time it was loaded (features and labels are valid from then)',
  layer: 'marts',
  materialized: 'table',
  unique_key: ['colour_id'],
  sql: 'SELECT colour_id, r, g, b, is_warm, loaded_at FROM src_colours',
  tests: [{ kind: 'unique', columns: ['colour_id'] }, { kind: 'not_null', column: 'is_warm' }],
};
const PLAN = {
  project: 'warm-colours',
  dry_run: false,
  version: 1,
  created: [
    { kind: 'source', name: 'colours', changes: ['create table dwh.src_colours (colour_id text, r integer, g integer, b integer, is_warm integer)'] },
    { kind: 'model', name: 'mart_colours', changes: ['create table dwh.mart_colours (colour_id text, r integer, g integer, b integer, is_warm integer, loaded_at timestamp with time zone), built at the next run'] },
    { kind: 'outcome', name: 'warm_colour' },
  ],
  changed: [],
  removed: [],
  unchanged: [],
};

export const APPLY_DOC: ApiContractOptions = {
  summary: "Plan or apply a project's warehouse definitions",
  description: [
    "Declares a project's sources (import targets), event schemas, SQL models, outcomes and KPIs in one request, applied atomically (all or nothing) as the project's next version. ",
    'With `dry_run: true` nothing is written: the answer is the plan (created / changed / removed / unchanged, with readable changes). ',
    "Names are owned by the project that applied them first (409 NAME_OWNED_BY_ANOTHER_PROJECT); `prune: true` removes this project's objects absent from the request; ",
    'a breaking change to a source or model needs its name in `full_refresh` (a source\'s rows are lost). ',
    "Every refusal is a 400 with one violation per problem, each with a JSON path into the request (`$.models[3].sql`); the top code is the violations' code when they share one, otherwise INVALID_DEFINITIONS. ",
    'A token limited to `project:<name>` scopes may apply only those projects. Scope `ingest:admin`; the `mlp apply` CLI sends this request.',
  ].join(''),
  errors: {
    400: ['VALIDATION_FAILED', 'INVALID_DEFINITIONS', 'DUPLICATE_NAME', 'INVALID_SOURCE', 'INVALID_MODEL', 'INVALID_OUTCOME', 'UNKNOWN_NAME', 'UNKNOWN_COLUMN', 'SQL_NOT_SELECT', 'SQL_UNKNOWN_RELATION', 'SQL_FORBIDDEN_RELATION', 'SQL_FORBIDDEN_FUNCTION', 'SQL_PARAMETER', 'SQL_ERROR', 'MODEL_CYCLE', 'OBJECT_IN_USE', 'BREAKING_CHANGE', 'VERSION_NOT_NEXT', 'INCOMPATIBLE_SCHEMA_CHANGE', 'SCHEMA_VERSION_EXISTS'],
    403: ['FORBIDDEN'],
    409: ['NAME_OWNED_BY_ANOTHER_PROJECT', 'RUN_IN_PROGRESS', 'RELATION_BUSY'],
    503: ['DEPENDENCY_UNAVAILABLE'],
  },
  example: PLAN,
};

export const LIST_PROJECTS_DOC: ApiContractOptions = {
  summary: 'Projects with their current version',
  description: 'Every project that applied warehouse definitions, by name: description, owner, current version, when and by which token it was last applied, and how many objects of each kind it owns. Scope `ingest:read`.',
  errors: {},
  example: { projects: [EXAMPLE_PROJECT] },
};

export const GET_PROJECT_DOC: ApiContractOptions = {
  summary: 'A project with its current definitions',
  description: "The project's summary and its applied definitions (`sources`, `event_schemas`, `models`, `outcomes`, `kpis`) exactly as applied: what `mlp pull` writes back to files. Scope `ingest:read`.",
  params: { name: 'The project: lower-case letters, digits and dashes' },
  errors: { 400: ['INVALID_PROJECT_NAME'], 404: ['PROJECT_NOT_FOUND'] },
  example: {
    ...EXAMPLE_PROJECT,
    definitions: {
      sources: [SOURCE],
      event_schemas: [],
      models: [MODEL],
      outcomes: [{ model: 'warm_colour', sql: 'SELECT colour_id, is_warm FROM dwh.mart_colours', keys: ['colour_id'], label_column: 'is_warm' }],
      kpis: [],
    },
  },
};

export const PROJECT_VERSIONS_DOC: ApiContractOptions = {
  summary: "A project's applied versions, newest first",
  description: 'Each apply that changed the project: version, when, by which token, the plan it carried out and the request it applied. Use it to see who changed what, or to re-apply an older request. Scope `ingest:read`.',
  params: { name: 'The project: lower-case letters, digits and dashes' },
  errors: { 400: ['INVALID_PROJECT_NAME'], 404: ['PROJECT_NOT_FOUND'] },
  example: {
    versions: [{ version: 1, applied_at: '2026-12-07T09:57:18.328Z', applied_by: 'ci-design-tools', plan: PLAN, request: { project: 'warm-colours', owner: 'design-tools', sources: [SOURCE], models: [MODEL] } }],
  },
};
