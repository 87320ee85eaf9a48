import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from '../lib/contract-exports';

export type ImportColumnType = 'date' | 'text' | 'numeric' | 'integer';

export interface ImportColumn {
  name: string;
  type: ImportColumnType;
  required: boolean;
  pattern?: string;
  maxLength?: number;
  minimum?: number;
}

/** A third-party source: its declared columns land in `dwh.src_<name>` with import id and row number. */
export interface ImportSource {
  name: string;
  description: string;
  columns: readonly ImportColumn[];
}

export const ImportSources: readonly ImportSource[] = [
  {
    name: 'marketing_spend',
    description: 'Daily ad spend per country and channel from the marketing agency',
    columns: [
      { name: 'date', type: 'date', required: true },
      { name: 'country', type: 'text', required: true, pattern: '^[A-Z]{2}$' },
      { name: 'channel', type: 'text', required: true, maxLength: 64 },
      { name: 'spend', type: 'numeric', required: true, minimum: 0 },
    ],
  },
  {
    // Synthetic data knows what real data never does: each user's true probability of ordering in
    // the next 7 days. The demo imports it so every training run can compare the model with the truth.
    name: 'true_propensity',
    description: 'Demo only: true 7-day order probability per user at each midnight, from the data generator',
    columns: [
      { name: 'user_id', type: 'text', required: true, maxLength: 128 },
      { name: 'as_of_date', type: 'date', required: true },
      { name: 'p_order_7d', type: 'numeric', required: true, minimum: 0 },
    ],
  },
];

export const ImportResult = defineContract(
  'dwh.ImportResult',
  Type.Object({
    importId: Type.String(),
    source: Type.String(),
    status: Type.Union([Type.Literal('completed')]),
    rowsAccepted: Type.Integer(),
    rowsRejected: Type.Integer(),
    idempotencyKey: Type.Union([Type.String(), Type.Null()]),
    bodySha256: Type.Optional(
      Type.Union([Type.String(), Type.Null()], { description: 'SHA-256 (hex) of the uploaded bytes; the Idempotency-Key is bound to it' }),
    ),
    replayed: Type.Boolean({ description: 'True when the Idempotency-Key was seen before and nothing was imported again' }),
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.String({ format: 'date-time' }),
  }),
);
export type ImportResult = Static<typeof ImportResult.schema>;
