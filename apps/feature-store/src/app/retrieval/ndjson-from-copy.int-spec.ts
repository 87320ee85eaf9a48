import { createTestDatabase, type TestDatabase } from '@mlp/service-kit/testing';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { copyAsText, jsonKindOf, NdjsonFromCopyText } from './ndjson-from-copy';

async function collect(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Every column type a training set can carry (join keys, timestamps, features, any label column), with edge values. */
const EDGE_TABLE = `
  CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);
  CREATE TYPE pair AS (a int, b text);
  CREATE TABLE edges (
    id int PRIMARY KEY, t text, vc varchar(20), bp char(4), nm name, i2 int2, i4 int4, i8 int8,
    f4 float4, f8 float8, num numeric, b bool, d date, ts timestamp, tstz timestamptz, iv interval,
    j json, jb jsonb, u uuid, ia int[], ta text[], by bytea, dom positive_int, cmp pair, o oid)`;
const EDGE_ROWS = `
  INSERT INTO edges VALUES
    (1, 'plain', 'v', 'ab', 'nm', 1, 2, 3, 1.5, 0.1, 12.50, true, '2026-01-02', '2026-01-02 03:04:05.123456', '2026-01-02 03:04:05+00',
     '1 day 2 hours', '{"a": [1, 2.50, "x"]}', '{"b": null, "a": 1}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,2,NULL}', '{"a b","c\\"d",NULL}', '\\x00ff', 5, ROW(1, 'x'), 42),
    (2, E'quote " backslash \\\\ tab \\t nl \\n cr \\r bs \\b ff \\f vt \\v ctl \\x01 \\x1f del \\x7f', E'é€😀\\u2028', 'x', 'a"b', -32768, -2147483648, -9223372036854775808,
     'NaN', 'Infinity', 'NaN', false, 'infinity', '-infinity', 'infinity', '-1 year -2 mons +3 days -04:05:06.7',
     E'{"multi":\\t "line\\\\n"}', '[1, {"k": "\\u00e9"}]', NULL, '{}', '{}', '\\x', NULL, ROW(NULL, E'q"\\\\'), 0),
    (3, '', '', '', '', 32767, 2147483647, 9223372036854775807, '-Infinity', '-Infinity', 'Infinity', NULL, '0044-03-15 BC', '1999-12-31 23:59:59.999999',
     '2000-02-29 12:00:00.5-05:30', '0', 'null', '"str"', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (4, '\\N', 'N', NULL, NULL, 0, 0, 0, '-0', '-0', '-Infinity', NULL, NULL, NULL, '1900-01-01 00:00:00+00', NULL, '1e400', '123456789012345678901234567890.000000000000000000001', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 3.4028235e38, 1e-300, 0.000001, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (6, 'x', NULL, NULL, NULL, NULL, NULL, NULL, 1.17549435e-38, 1.7976931348623157e308, 1e-20, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (7, 'y', NULL, NULL, NULL, NULL, NULL, NULL, 123456789, 123456789012345678, -1.5e-7, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`;

describe('NDJSON formatted in the service from COPY text, on a real PostgreSQL', () => {
  let db: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query(EDGE_TABLE);
    await client.query(EDGE_ROWS);
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  const reference = (select: string) => collect(client.query(copyTo(`COPY (SELECT row_to_json(ref_row)::text FROM (${select}) ref_row) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`)));
  const formatted = async (select: string) => {
    const { fields } = await client.query(`${select} LIMIT 0`);
    const columns = fields.map((f) => ({ name: f.name, kind: jsonKindOf(f.dataTypeID) }));
    return collect(client.query(copyTo(copyAsText(select, columns))).pipe(new NdjsonFromCopyText(columns)));
  };

  it('writes the same bytes as row_to_json for every type and edge value', async () => {
    const select = 'SELECT * FROM edges ORDER BY id';
    const expected = await reference(select);
    expect(expected.split('\n')).toHaveLength(8);
    expect(await formatted(select)).toBe(expected);
  });

  it('stays byte-identical whatever the session settings that shape text output', async () => {
    const select = 'SELECT * FROM edges ORDER BY id';
    for (const setting of [`SET extra_float_digits = 0`, `SET TimeZone = 'Asia/Kathmandu'`, `SET DateStyle = 'SQL, DMY'`, `SET IntervalStyle = 'iso_8601'`, `SET bytea_output = 'escape'`]) {
      await client.query(setting);
      expect([setting, await formatted(select)]).toEqual([setting, await reference(select)]);
    }
    await client.query('RESET ALL');
  });

  it('keeps a json value with line breaks on its one line (row_to_json would break the NDJSON there)', async () => {
    await client.query(`CREATE TABLE multiline (id int, j json, js json[])`);
    await client.query(`INSERT INTO multiline VALUES (1, E'{\\n  "a": "x\\\\ny",\\r\\n  "b": [1,\\n2]\\n}', ARRAY[E'[\\n1]'::json])`);
    const out = await formatted('SELECT * FROM multiline');
    expect(out.split('\n')).toHaveLength(2);
    expect(JSON.parse(out)).toEqual({ id: 1, j: { a: 'x\ny', b: [1, 2] }, js: [[1]] });
  });

  it('keeps them identical over many rows and COPY chunk boundaries', async () => {
    const select = `SELECT 'u' || g AS user_id, now()::date + g AS event_timestamp, (g % 7)::float8 / 3 AS f, g::numeric / 7 AS n, g % 2 = 0 AS b,
      repeat(E'\\té"', g % 5) AS s FROM generate_series(1, 50000) g ORDER BY g`;
    expect(await formatted(select)).toBe(await reference(select));
  });
});
