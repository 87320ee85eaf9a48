import { asSubquery, singleSelectProblem } from './single-select';
import { durationSeconds } from './duration';

describe('definition SQL that the platform embeds', () => {
  it('accepts one SELECT, with CTEs, set operations and a trailing semicolon', async () => {
    for (const sql of [
      'SELECT user_id, ordered_at, 1 AS y FROM dwh.mart_orders',
      'WITH o AS (SELECT * FROM dwh.mart_orders) SELECT * FROM o;',
      'SELECT 1 AS a UNION ALL SELECT 2',
      "SELECT date_trunc('day', at)::date AS date, count(*) AS value FROM events GROUP BY 1 -- daily",
    ]) {
      expect(await singleSelectProblem(sql)).toBeNull();
    }
  });

  it('refuses several statements, other statements, and anything that writes, locks or binds parameters', async () => {
    const cases: Array<[string, RegExp]> = [
      ['SELECT 1; SELECT 2', /one statement, found 2/],
      ['DELETE FROM dwh.prediction_log', /must be a SELECT, found DeleteStmt/],
      ['WITH d AS (DELETE FROM dwh.prediction_log RETURNING *) SELECT * FROM d', /DELETE/],
      ['WITH u AS (UPDATE dwh.x SET a = 1 RETURNING a) SELECT a FROM u', /UPDATE/],
      ['WITH i AS (INSERT INTO dwh.x VALUES (1) RETURNING 1) SELECT 1', /INSERT/],
      ['SELECT * INTO dwh.copy FROM dwh.mart_orders', /SELECT INTO/],
      ['SELECT * FROM dwh.mart_orders FOR UPDATE', /FOR UPDATE/],
      ['SELECT * FROM dwh.mart_orders WHERE user_id = $1', /parameter/],
      ['SELEC 1', /does not parse/],
      ["SELECT set_config('search_path', 'x', false) AS v", /calls set_config\(\)/],
      ['SELECT 1 FROM dwh.mart_orders WHERE pg_catalog.PG_ADVISORY_LOCK(1) IS NULL', /calls pg_advisory_lock\(\)/],
      ["SELECT * FROM (SELECT pg_read_file('/etc/passwd') AS t) x", /calls pg_read_file\(\)/],
      ["SELECT * FROM dblink('host=x', 'select 1') AS t(a int)", /calls dblink\(\)/],
      ['-- nothing', /one statement, found 0|cannot be empty/],
    ];
    for (const [sql, problem] of cases) expect(await singleSelectProblem(sql)).toMatch(problem);
  });

  it('wraps SQL as a subquery that a trailing comment or semicolon cannot break', () => {
    expect(asSubquery('SELECT 1 -- one;  \n ;')).toBe('(\nSELECT 1 -- one\n)');
  });

  it('reads durations in seconds', () => {
    expect([durationSeconds('90s'), durationSeconds('30m'), durationSeconds('6h'), durationSeconds('7d')]).toEqual([90, 1800, 21600, 604800]);
    for (const bad of ['7', '0d', '1w', '1.5h', ' 7d']) expect(() => durationSeconds(bad)).toThrow(/not a duration/);
  });
});
