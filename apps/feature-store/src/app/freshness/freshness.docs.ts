import type { ApiContractOptions } from '@mlp/service-kit';

// The freshness route's OpenAPI documentation.

export const FRESHNESS_DOC: ApiContractOptions = {
  summary: 'Freshness SLA of every online feature view',
  description:
    "For each online view version: the event time of its newest online value, its age, the view's SLA (`freshness_sla_seconds`, by default its ttl) and a status: OK, BREACHED (the newest value is older than the SLA) or NO_DATA (nothing online yet). The top `status` is BREACHED when any view is. Transitions between OK and BREACHED are published as events (webhooks). Scope `features:read`.",
  errors: { 503: ['DEPENDENCY_UNAVAILABLE'] },
  example: {
    status: 'OK',
    views: [{ view: 'colour_rgb', version: 1, newest_event_timestamp: '2026-12-07T09:57:20.114Z', age_seconds: 18.2, sla_seconds: 315360000, status: 'OK' }],
  },
};
