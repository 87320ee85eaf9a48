import type { ApiContractOptions } from '@mlp/service-kit';

// The feature view version routes' OpenAPI documentation.

const PARAMS = { name: 'A feature view, e.g. colour_rgb', version: 'An older version of it (1, 2, ...)' };

export const RETIRE_DOC: ApiContractOptions = {
  summary: 'Stop serving an older feature view version online',
  description:
    "Deletes the version's online values and stops materializing it; it stays readable offline (training sets). The current version cannot be retired (409 VERSION_IS_HEAD: apply a new version first), nor one a feature service pins (409 VERSION_PINNED). Versions nobody reads are retired on their own after a while (see the README's Versions). Retiring a retired version answers its first reason. Scope `admin`.",
  params: PARAMS,
  errors: { 400: ['INVALID_NAME', 'INVALID_VERSION'], 404: ['UNKNOWN_FEATURE_VIEW', 'UNKNOWN_FEATURE_VERSION'], 409: ['VERSION_IS_HEAD', 'VERSION_PINNED', 'RETIREMENT_IN_PROGRESS'] },
  example: { view: 'colour_rgb', version: 1, retired: true, reason: 'EXPLICIT', online_values_dropped: 400 },
};

export const RESTORE_DOC: ApiContractOptions = {
  summary: 'Serve a retired feature view version online again',
  description: 'Makes the version live again and starts its materialization (the jobs are in the answer), for a model still pinned to it. Scope `admin`.',
  params: PARAMS,
  errors: { 400: ['INVALID_NAME', 'INVALID_VERSION'], 404: ['UNKNOWN_FEATURE_VIEW', 'UNKNOWN_FEATURE_VERSION'], 409: ['RETIREMENT_IN_PROGRESS'] },
  example: {
    view: 'colour_rgb',
    version: 1,
    retired: false,
    materializations: [{ id: 31, view: 'colour_rgb', version: 1, start: '1970-01-01T00:00:00.000Z', end: '2026-12-07T10:30:00.000Z', status: 'PENDING', chunks_total: 1, chunks_done: 0, rows_written: 0, trigger: 'restore', error: null, created_at: '2026-12-07T10:30:00.051Z', finished_at: null }],
  },
};
