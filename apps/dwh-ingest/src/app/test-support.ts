let counter = 0;
/** A valid demo track message; override anything. */
export function trackMessage(over: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    type: 'track',
    messageId: `m-${Date.now().toString(36)}-${counter}`,
    userId: 'u1',
    event: 'product_viewed',
    timestamp: '2026-11-20T10:00:00.000Z',
    properties: { product_id: 'p1', price: 9.5 },
    ...over,
  };
}

/** Something `query` can run SQL with (the app's Database, a pg client). */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Stores warehouse definitions as `POST /v1/warehouse/apply` leaves them (`dwh.projects`,
 * `dwh.project_objects`), for tests of their consumers (outcomes, KPIs) without the apply API.
 */
export async function storeProjectObjects(db: Queryable, project: string, objects: Array<{ kind: 'outcome' | 'kpi'; name: string; definition: Record<string, unknown> }>): Promise<void> {
  await db.query(`INSERT INTO "dwh".projects (name, version) VALUES ($1, 1) ON CONFLICT (name) DO NOTHING`, [project]);
  for (const o of objects) {
    await db.query(
      `INSERT INTO "dwh".project_objects (kind, name, project, definition, definition_sha256, version)
       VALUES ($1, $2, $3, $4::jsonb, md5($4::text), 1)
       ON CONFLICT (kind, name) DO UPDATE SET definition = EXCLUDED.definition, definition_sha256 = EXCLUDED.definition_sha256, updated_at = now()`,
      [o.kind, o.name, project, JSON.stringify(o.definition)],
    );
  }
}
