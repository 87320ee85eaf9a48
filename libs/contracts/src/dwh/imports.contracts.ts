import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from '../lib/contract-exports';

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
