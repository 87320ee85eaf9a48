import type { ApiContractOptions } from '@mlp/service-kit';

// The feature registry routes' OpenAPI documentation (examples from the warm-colours project, examples/warm-colours).

const ENTITY = { name: 'colour', join_key: 'colour_id', value_type: 'string', description: 'A labelled colour', project: 'warm-colours' };
const VIEW_SPEC = {
  name: 'colour_rgb',
  entities: ['colour'],
  features: [
    { name: 'r', type: 'int64' },
    { name: 'g', type: 'int64' },
    { name: 'b', type: 'int64' },
  ],
  source: { sql: 'SELECT colour_id, loaded_at AS event_timestamp, r, g, b FROM dwh.mart_colours' },
  ttl_seconds: 315360000,
  online: true,
  description: 'The red, green and blue channels of a colour (0-255)',
};
const SERVICE = { name: 'warm_colour', features: ['colour_rgb:r', 'colour_rgb:g', 'colour_rgb:b'], description: 'Inputs of the warm_colour model', project: 'warm-colours' };
const NAME_CODES = { 400: ['INVALID_NAME'] };

export const APPLY_DOC: ApiContractOptions = {
  summary: 'Plan or apply entities, feature views and feature services',
  description:
    "Registers a project's entities, feature views (features, entity keys, source SQL over the warehouse marts, ttl, online) and feature services (named lists of `view:feature` refs), atomically. `dry_run: true` answers the plan only. A view whose schema changes gets a new version (`new_version: true`); older versions stay readable and keep being served online until retired. Sources are checked lazily: a mart that does not exist yet is reported in `sources` (SOURCE_MISSING), not refused. A name another project owns is 409 NAME_OWNED_BY_ANOTHER_PROJECT; `prune: true` removes the project's objects absent from the request. `mlp apply` sends this. Scope `admin` (a `project:<name>` token only for its projects).",
  errors: {
    400: ['VALIDATION_FAILED', 'INVALID_FEATURE_REF', 'INVALID_ENTITY', 'INVALID_SOURCE_SQL', 'UNKNOWN_ENTITY', 'UNKNOWN_FEATURE_VIEW', 'UNKNOWN_FEATURE', 'NO_FEATURES', 'DUPLICATE_FEATURE_NAME', 'AMBIGUOUS_FEATURES'],
    403: ['FORBIDDEN'],
    409: ['NAME_OWNED_BY_ANOTHER_PROJECT', 'ENTITY_IN_USE', 'FEATURE_VERSION_RETIRED'],
  },
  example: {
    project: 'warm-colours',
    dry_run: false,
    created: [
      { kind: 'entity', name: 'colour' },
      { kind: 'feature_view', name: 'colour_rgb', version: 1 },
      { kind: 'feature_service', name: 'warm_colour' },
    ],
    changed: [],
    removed: [],
    unchanged: [],
    sources: [{ view: 'colour_rgb', version: 1, status: 'SOURCE_MISSING', message: 'relation "dwh.mart_colours" does not exist' }],
  },
};

export const ENTITIES_DOC: ApiContractOptions = {
  summary: 'Entities: what features describe, by join key',
  description: 'Every registered entity with its join key, key type and owning project. Scope `features:read`.',
  errors: {},
  example: { entities: [ENTITY] },
};

export const VIEWS_DOC: ApiContractOptions = {
  summary: 'Feature views with their current version and source status',
  description:
    "Each feature view's current (head) definition with its version, all its versions, the versions served online (`live_versions`), and whether its source SQL runs (`READY`, `SOURCE_MISSING` until the mart is built, `INVALID`). Scope `features:read`.",
  errors: {},
  example: { feature_views: [{ ...VIEW_SPEC, project: 'warm-colours', version: 1, versions: [1], live_versions: [1], source_status: 'READY', source_message: null }] },
};

export const VIEW_DOC: ApiContractOptions = {
  summary: 'One feature view with every version',
  description:
    "Every version of a view: its definition, source status and the relations it reads, whether it is live online, when it was created and superseded, its last online read, and when and why it was retired. Training sets and models pin versions (`view@vN:feature`). Scope `features:read`.",
  params: { name: 'A feature view, e.g. colour_rgb' },
  errors: { ...NAME_CODES, 404: ['UNKNOWN_FEATURE_VIEW'] },
  example: {
    name: 'colour_rgb',
    project: 'warm-colours',
    version: 1,
    versions: [
      {
        version: 1,
        spec: VIEW_SPEC,
        source_status: 'READY',
        source_message: null,
        source_relations: ['dwh.mart_colours'],
        live: true,
        created_at: '2026-12-07T09:57:18.644Z',
        superseded_at: null,
        last_online_read_at: '2026-12-07T09:59:41.018Z',
        retired_at: null,
        retired_reason: null,
      },
    ],
  },
};

export const SERVICES_DOC: ApiContractOptions = {
  summary: 'Feature services: the feature lists models train and serve on',
  description: 'Every feature service with its feature refs and owning project. A model spec names one; the trainer fetches its features for training sets and serving fetches them online. Scope `features:read`.',
  errors: {},
  example: { feature_services: [SERVICE] },
};

export const SERVICE_DOC: ApiContractOptions = {
  summary: 'One feature service',
  description: 'A feature service with its feature refs (`view:feature`, or `view@vN:feature` pinned to a version) and owning project. Scope `features:read`.',
  params: { name: 'A feature service, e.g. warm_colour' },
  errors: { ...NAME_CODES, 404: ['UNKNOWN_FEATURE_SERVICE'] },
  example: SERVICE,
};
