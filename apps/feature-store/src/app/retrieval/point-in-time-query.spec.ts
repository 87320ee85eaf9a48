import { pointInTimeSelect, quoteAlias } from './point-in-time-query';

describe('point-in-time query builder', () => {
  it('joins each view with a bounded, ordered LATERAL probe and keeps row order', () => {
    const sql = pointInTimeSelect('fs_rows', ['user_id', 'event_timestamp'], [
      { table: 'fs_src_0', joinKeys: ['user_id'], ttlSeconds: 86400, features: [{ name: 'orders_7d', outputName: 'orders_7d' }] },
    ]);
    expect(sql).toContain(`s.entity_key = ((r."user_id")::text) COLLATE "C"`);
    expect(sql).toContain(`s.event_timestamp <= r.event_timestamp`);
    expect(sql).toContain(`s.event_timestamp >= r.event_timestamp - interval '86400 seconds'`);
    expect(sql).toContain('ORDER BY s.event_timestamp DESC, s._seq DESC');
    expect(sql).toMatch(/ORDER BY r.__row_id$/);
    expect(sql).toContain('f0."orders_7d" AS "orders_7d"');
  });

  it('refuses column names that are not plain identifiers', () => {
    expect(() => quoteAlias('label"; drop table x')).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_COLUMN_NAME' }));
    expect(() => pointInTimeSelect('fs_rows; drop', ['a'], [])).toThrow();
  });
});
