import type { OutcomeDefinition } from '@mlp/contracts';
import { outcomeIdentifierProblems, outcomeLabelQuery } from './outcome-labels-sql';

const timed: OutcomeDefinition = {
  model: 'colour_pick',
  sql: 'SELECT colour_id, shop, picked_at, picked FROM dwh.mart_picks -- trailing comment',
  keys: ['colour_id', 'shop'],
  label_column: 'picked',
  timestamp_column: 'picked_at',
  horizon: '2d',
  default: 0,
};

describe('the outcome labelling SQL', () => {
  it('passes every value from the definition as a parameter, in order, and splices only quoted identifiers', () => {
    const { sql, params, static: isStatic, incremental } = outcomeLabelQuery('colour_pick', timed);
    expect([isStatic, incremental]).toEqual([false, false]);
    // model, horizon seconds, the key names (looked up in the entity), the default
    expect(params).toEqual(['colour_pick', 172800, 'colour_id', 'shop', 0]);
    expect(sql).toContain('o."colour_id"::text AS k0, o."shop"::text AS k1, o."picked_at"::timestamptz AS at');
    expect(sql).toContain("p.entity ->> $3::text AS k0, p.entity ->> $4::text AS k1");
    expect(sql).toContain('o.k0 = p.k0 AND o.k1 = p.k1 AND o.at > p.predicted_at AND o.at <= p.predicted_at + $2::float8 * interval \'1 second\'');
    expect(sql).toContain('coalesce(CASE WHEN count(o.hit) > 0 THEN max(o.label) END, $5::float8)');
    expect(sql).toContain("p.predicted_at + $2::float8 * interval '1 second' <= now()");
    // the definition's SQL sits on lines of its own: its trailing comment does not swallow the parenthesis
    expect(sql).toContain('(\nSELECT colour_id, shop, picked_at, picked FROM dwh.mart_picks -- trailing comment\n) o');
    expect(sql).not.toContain('colour_pick');
  });

  it('combines rows as the aggregate says: sum, count of rows, the last by time', () => {
    expect(outcomeLabelQuery('m', { ...timed, aggregate: 'sum' }).sql).toContain('THEN sum(o.label) END');
    expect(outcomeLabelQuery('m', { ...timed, aggregate: 'count' }).sql).toContain('THEN count(o.hit)::float8 END');
    expect(outcomeLabelQuery('m', { ...timed, aggregate: 'last' }).sql).toContain('(array_agg(o.label ORDER BY o.at DESC, o.label DESC))[1]');
  });

  it('stages, incrementally, only the predictions whose label may still change or that have no row yet', () => {
    const { sql, params, incremental } = outcomeLabelQuery('colour_pick', timed, { lookbackSeconds: 3600 });
    expect(incremental).toBe(true);
    expect(params).toEqual(['colour_pick', 172800, 'colour_id', 'shop', 0, 3600]);
    expect(sql).toContain(
      "AND (p.predicted_at > now() - $2::float8 * interval '1 second' - $6::float8 * interval '1 second'\n          OR NOT EXISTS (SELECT 1 FROM \"dwh\".prediction_outcomes t WHERE t.prediction_id = p.prediction_id))",
    );
    // A static outcome's labels never settle: it is always staged whole.
    const still = outcomeLabelQuery('m', { model: 'm', sql: 'SELECT id, y FROM dwh.labels', keys: ['id'], label_column: 'y' }, { lookbackSeconds: 3600 });
    expect([still.incremental, still.sql.includes('NOT EXISTS')]).toEqual([false, false]);
  });

  it('without a default leaves a prediction with no outcome row unlabelled', () => {
    const { sql, params } = outcomeLabelQuery('m', { ...timed, default: undefined });
    expect(params).toEqual(['m', 172800, 'colour_id', 'shop']);
    expect(sql).not.toContain('coalesce(');
  });

  it('without a time column labels as soon as a row exists, with no horizon and no default', () => {
    const { sql, params, static: isStatic } = outcomeLabelQuery('m', { model: 'm', sql: 'SELECT id, y FROM dwh.labels', keys: ['id'], label_column: 'y', default: 0 });
    expect(isStatic).toBe(true);
    expect(params).toEqual(['m', 'id']);
    expect(sql).toContain('CASE WHEN p.k0 IS NOT NULL THEN CASE WHEN count(o.hit) > 0 THEN max(o.label) END END');
    expect(sql).toContain('LEFT JOIN outcome o ON o.k0 = p.k0\n');
    expect(sql).not.toContain('now()');
    expect(sql).not.toContain('interval');
  });

  it('refuses identifiers that are not identifiers, whatever validated the definition before', () => {
    expect(outcomeIdentifierProblems({ keys: ['a"; DROP TABLE x; --'], label_column: 'y', timestamp_column: 'At' })).toEqual([
      'keys[0] "a\\"; DROP TABLE x; --" is not an identifier',
      'timestamp_column "At" is not an identifier',
    ]);
    expect(outcomeIdentifierProblems({ keys: ['a', 'a'], label_column: 'y' })).toEqual(['keys repeat a column']);
    expect(() => outcomeLabelQuery('m', { ...timed, label_column: 'y"x' })).toThrow(/label_column/);
    expect(() => outcomeLabelQuery('m', { ...timed, horizon: undefined })).toThrow(/needs a horizon/);
  });
});
