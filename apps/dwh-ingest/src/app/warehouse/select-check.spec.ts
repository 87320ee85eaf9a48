import { analyseSelect, asSubquery, bindWindow, definitionSqlProblem, qualifyRelations, withoutTerminator, type SelectRules } from './select-check';

const known = new Set(['events', 'prediction_log', 'src_spend', 'stg_events', 'mart_orders']);
const rules: SelectRules = { allowed: (n: string) => known.has(n), parameters: [1, 2] };
const codes = async (sql: string, r = rules) => (await analyseSelect(sql, r)).problems.map((p) => p.code);

describe('the model SQL check', () => {
  it('accepts a SELECT and WITH ... SELECT and derives the relations read, unqualified or dwh-qualified', async () => {
    const a = await analyseSelect(
      bindWindow(`WITH c AS (SELECT DISTINCT user_id FROM "dwh".stg_events WHERE loaded_at >= {{from}} AND loaded_at < {{to}})
                  SELECT o.* FROM mart_orders o JOIN c USING (user_id) WHERE EXISTS (SELECT 1 FROM dwh.src_spend s WHERE s.x = o.x)
                  UNION ALL SELECT * FROM events`),
      rules,
    );
    expect(a.problems).toEqual([]);
    expect(a.relations).toEqual(['stg_events', 'mart_orders', 'src_spend', 'events']);
  });

  it.each([
    ['two statements', 'SELECT 1; SELECT 2', 'SQL_NOT_SELECT'],
    ['no statement', '-- nothing', 'SQL_NOT_SELECT'],
    ['an INSERT', 'INSERT INTO events VALUES (1)', 'SQL_NOT_SELECT'],
    ['a DELETE', 'DELETE FROM prediction_log', 'SQL_NOT_SELECT'],
    ['a data-modifying CTE', 'WITH d AS (DELETE FROM events RETURNING *) SELECT * FROM d', 'SQL_NOT_SELECT'],
    ['an UPDATE in a CTE', 'WITH u AS (UPDATE events SET a = 1 RETURNING a) SELECT a FROM u', 'SQL_NOT_SELECT'],
    ['an INSERT in a CTE', 'WITH i AS (INSERT INTO events VALUES (1) RETURNING 1) SELECT 1', 'SQL_NOT_SELECT'],
    ['SELECT INTO', 'SELECT * INTO x FROM events', 'SQL_NOT_SELECT'],
    ['a locking clause', 'SELECT * FROM events FOR UPDATE', 'SQL_NOT_SELECT'],
    ['a locking clause in a subquery', 'SELECT * FROM (SELECT * FROM events FOR SHARE) e', 'SQL_NOT_SELECT'],
    ['a catalog table', 'SELECT * FROM pg_authid', 'SQL_UNKNOWN_RELATION'],
    ['a qualified catalog table', 'SELECT * FROM pg_catalog.pg_class', 'SQL_FORBIDDEN_RELATION'],
    ['another schema', 'SELECT * FROM public.secrets', 'SQL_FORBIDDEN_RELATION'],
    ['an undeclared warehouse table', 'SELECT * FROM dwh.outbox', 'SQL_UNKNOWN_RELATION'],
    ['a relation in a scalar subquery', 'SELECT (SELECT count(*) FROM project_objects) FROM events', 'SQL_UNKNOWN_RELATION'],
    ['a file read', "SELECT pg_read_file('/etc/passwd')", 'SQL_FORBIDDEN_FUNCTION'],
    ['a file read in a subquery', "SELECT * FROM (SELECT pg_read_file('/etc/passwd') AS t) x", 'SQL_FORBIDDEN_FUNCTION'],
    ['a qualified file read', "SELECT pg_catalog.pg_read_binary_file('/etc/passwd')", 'SQL_FORBIDDEN_FUNCTION'],
    ['a sleep', 'SELECT pg_sleep(10)', 'SQL_FORBIDDEN_FUNCTION'],
    ['a setting', "SELECT set_config('search_path', 'public', true)", 'SQL_FORBIDDEN_FUNCTION'],
    ['a large object', 'SELECT lo_import(1)', 'SQL_FORBIDDEN_FUNCTION'],
    ['dblink', "SELECT * FROM dblink('x', 'y') AS t(a int)", 'SQL_FORBIDDEN_FUNCTION'],
    ['a query as XML', "SELECT query_to_xml('select 1', true, true, '')", 'SQL_FORBIDDEN_FUNCTION'],
    ['an advisory lock', 'SELECT pg_advisory_lock(1)', 'SQL_FORBIDDEN_FUNCTION'],
    ['a qualified advisory lock in capitals', 'SELECT 1 FROM events WHERE pg_catalog.PG_ADVISORY_LOCK(1) IS NULL', 'SQL_FORBIDDEN_FUNCTION'],
    ['a transaction id', 'SELECT pg_current_xact_id()', 'SQL_FORBIDDEN_FUNCTION'],
    ['a function of another schema', 'SELECT public.evil()', 'SQL_FORBIDDEN_FUNCTION'],
    ['a sequence', "SELECT nextval('x')", 'SQL_FORBIDDEN_FUNCTION'],
    ['a raw parameter', 'SELECT * FROM events WHERE loaded_at > $3', 'SQL_PARAMETER'],
    ['a syntax error', 'SELEC * FROM events', 'SQL_ERROR'],
  ])('refuses %s', async (_what, sql, code) => {
    expect(await codes(sql)).toContain(code);
  });

  it('treats a CTE name as a CTE only where it is in scope (a later sibling or an outer query still reads the real relation)', async () => {
    expect(await codes('WITH pg_authid AS (SELECT 1 AS x) SELECT * FROM pg_authid')).toEqual([]);
    expect(await codes('SELECT * FROM (WITH pg_authid AS (SELECT 1) SELECT * FROM pg_authid) a, pg_authid b')).toEqual(['SQL_UNKNOWN_RELATION']);
    expect(await codes('WITH a AS (SELECT * FROM pg_authid), pg_authid AS (SELECT 1) SELECT * FROM a')).toEqual(['SQL_UNKNOWN_RELATION']);
    expect(await codes('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r')).toEqual([]);
  });

  it('requires dwh-qualified relations where asked (outcomes and KPIs)', async () => {
    expect(await codes('SELECT * FROM mart_orders', { ...rules, requireQualified: true })).toEqual(['SQL_UNKNOWN_RELATION']);
    expect(await codes('SELECT * FROM dwh.mart_orders', { ...rules, requireQualified: true })).toEqual([]);
  });

  it('rewrites every relation to another schema, quoted or not, keeping CTEs and non-ASCII text intact', async () => {
    const sql = `WITH c AS (SELECT 'größe' AS g FROM "dwh" . stg_events) SELECT * FROM c, mart_orders m JOIN dwh.events e ON true`;
    const a = await analyseSelect(sql, rules);
    expect(a.problems).toEqual([]);
    expect(qualifyRelations(sql, a.refs, 'scratch_1')).toBe(
      `WITH c AS (SELECT 'größe' AS g FROM "scratch_1".stg_events) SELECT * FROM c, "scratch_1".mart_orders m JOIN "scratch_1".events e ON true`,
    );
  });
});

describe('definition SQL that the outcome refresh and KPI reads embed', () => {
  it('accepts one SELECT, with CTEs, set operations, a trailing semicolon or comment, reading any warehouse relation', async () => {
    for (const sql of [
      'SELECT user_id, ordered_at, 1 AS y FROM dwh.mart_orders',
      'WITH o AS (SELECT * FROM dwh.mart_orders) SELECT * FROM o;',
      'SELECT 1 AS a UNION ALL SELECT 2',
      "SELECT date_trunc('day', at)::date AS date, count(*) AS value FROM events GROUP BY 1 -- daily",
    ]) {
      expect(await definitionSqlProblem(sql)).toBeNull();
    }
  });

  it('refuses what the apply refuses, saying what and with the code', async () => {
    const cases: Array<[string, RegExp]> = [
      ['SELECT 1; SELECT 2', /exactly one statement is allowed, found 2 \(SQL_NOT_SELECT\)/],
      ['-- nothing', /found 0/],
      ['DELETE FROM dwh.prediction_log', /only a SELECT is allowed, found DeleteStmt/],
      ['WITH d AS (DELETE FROM dwh.prediction_log RETURNING *) SELECT * FROM d', /data-modifying statements/],
      ['SELECT * INTO dwh.copy FROM dwh.mart_orders', /SELECT INTO/],
      ['SELECT * FROM dwh.mart_orders FOR UPDATE', /FOR UPDATE/],
      ['SELECT * FROM dwh.mart_orders WHERE user_id = $1', /\$1: parameters are not allowed.*\(SQL_PARAMETER\)/],
      ['SELEC 1', /syntax.*\(SQL_ERROR\)/],
      ["SELECT set_config('search_path', 'x', false) AS v", /set_config\(\) reaches the server/],
      ["SELECT * FROM dblink('host=x', 'select 1') AS t(a int)", /dblink\(\) reaches the server/],
      ['SELECT * FROM public.secrets', /only relations of the warehouse schema dwh may be read \(SQL_FORBIDDEN_RELATION\)/],
    ];
    for (const [sql, problem] of cases) expect([sql, await definitionSqlProblem(sql)]).toEqual([sql, expect.stringMatching(problem)]);
  });

  it('embeds SQL so that a trailing comment or semicolons cannot break what follows', () => {
    expect(asSubquery('SELECT 1 -- one;  \n ;')).toBe('(\nSELECT 1 -- one\n)');
    expect(withoutTerminator('SELECT 1;\n')).toBe('SELECT 1');
    expect(withoutTerminator("SELECT ';'")).toBe("SELECT ';'");
  });
});
