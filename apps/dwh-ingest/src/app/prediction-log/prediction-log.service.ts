import { Injectable } from '@nestjs/common';
import type { PredictionLogRecord } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';

/**
 * Appends model-serving's prediction log: one unnest INSERT per message, idempotent by predictionId
 * (a redelivered message after a lost reply stores nothing twice).
 */
@Injectable()
export class PredictionLogService {
  constructor(private readonly db: Database) {}

  async append(records: PredictionLogRecord[]): Promise<{ accepted: number; duplicates: number }> {
    const rows: Array<{ prediction_id: string }> = await this.db.query(
      `INSERT INTO "dwh".prediction_log (prediction_id, request_id, model, version, arm, entity, user_id, inputs, output, latency_ms, predicted_at)
       SELECT u.prediction_id, u.request_id, u.model, u.version, u.arm, u.entity, u.entity->>'user_id', u.inputs, u.output, u.latency_ms, u.predicted_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::jsonb[], $7::jsonb[], $8::float8[], $9::float8[], $10::timestamptz[])
              AS u(prediction_id, request_id, model, version, arm, entity, inputs, output, latency_ms, predicted_at)
       ON CONFLICT (prediction_id) DO NOTHING
       RETURNING prediction_id`,
      [
        records.map((r) => r.predictionId),
        records.map((r) => r.requestId),
        records.map((r) => r.model),
        records.map((r) => r.version),
        records.map((r) => r.arm),
        records.map((r) => (r.entity ? JSON.stringify(r.entity) : null)),
        records.map((r) => JSON.stringify(r.inputs)),
        records.map((r) => r.output),
        records.map((r) => r.latencyMs),
        records.map((r) => r.predictedAt),
      ],
    );
    return { accepted: rows.length, duplicates: records.length - rows.length };
  }
}
