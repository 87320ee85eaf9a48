import type { ApiContractOptions } from '@mlp/service-kit';

// The prediction log status route's OpenAPI documentation.

export const PREDICTION_LOG_DOC: ApiContractOptions = {
  summary: "The prediction log's state: buffered, spilled, sent, refused",
  description:
    "Every prediction is logged to the warehouse (dwh-ingest) through a bounded buffer: records in memory and on disk (spilled when the warehouse is slow), sent, refused (503 PREDICTION_LOG_FULL when the buffer and the spill are full: never a silent drop), send failures, and lines the warehouse set aside (`rejected`, listed at dwh-ingest's `GET /v1/prediction-log/rejected`). Any valid token.",
  errors: {},
  example: { inMemory: 12, onDisk: 0, accepted: 184210, spilled: 0, sent: 184198, refused: 0, sendFailures: 0, rejected: 0, rejectedFiles: 0, lastRefusal: null },
};
