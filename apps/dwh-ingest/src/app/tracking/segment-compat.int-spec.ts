import type { ErrorResponse, EventSchemaDocument, IngestResponse } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { Analytics } from '@segment/analytics-node';
import { readFileSync } from 'node:fs';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { applyWarehouse } from '../test-support';

/**
 * Segment's own Node library (`@segment/analytics-node`, unchanged, pointed at dwh-ingest with its
 * `host` option) delivers every call type; what lands in `dwh.events` is compared with what the test
 * passed to the library, not with what the library sent.
 */

/** The package's version as its package.json says (what `context.library.version` must be). */
const SDK_VERSION = (JSON.parse(readFileSync(require.resolve('@segment/analytics-node/package.json'), 'utf8')) as { version: string }).version;

const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false });
const PLAN: EventSchemaDocument[] = [
  { name: 'order_placed', version: '1-0-0', schema: object({ order_id: { type: 'string' }, revenue: { type: 'number' } }, ['order_id']) },
  { name: 'identify', version: '1-0-0', schema: object({ email: { type: 'string' }, plan: { type: 'string' } }) },
  // Every page without a schema of its own; analytics-node copies a page's category into its properties.
  { name: 'page', version: '1-0-0', schema: object({ title: { type: 'string' }, url: { type: 'string' }, category: { type: 'string' } }) },
  { name: 'page_product_detail', version: '1-0-0', schema: object({ sku: { type: 'string' }, category: { type: 'string' } }, ['sku']) },
  { name: 'screen_home', version: '1-0-0', schema: object({ tab: { type: 'string' } }) },
  { name: 'group', version: '1-0-0', schema: object({ name: { type: 'string' }, employees: { type: 'integer' } }, ['name']) },
];

interface EventRow {
  message_id: string;
  type: string;
  event: string;
  user_id: string | null;
  anonymous_id: string | null;
  properties: Record<string, unknown>;
  context: Record<string, unknown> | null;
  category: string | null;
  group_id: string | null;
  previous_id: string | null;
  schema_name: string | null;
  /** coalesce(schema_name, event): the tracking plan schema the row was checked against. */
  schema: string;
  schema_version: string;
  device_created_at: Date;
  device_sent_at: Date | null;
}

/** An Analytics client of dwh-ingest; `sent` collects each HTTP request it made, `errors` each failed delivery. */
function client(svc: TestService, writeKey: string) {
  const analytics = new Analytics({ writeKey, host: svc.url, maxRetries: 0, flushInterval: 60_000, flushAt: 100 });
  const sent: Array<{ url: string; headers: Record<string, string>; body: Record<string, unknown> }> = [];
  const errors: string[] = [];
  analytics.on('http_request', (r) => sent.push({ url: r.url, headers: r.headers, body: JSON.parse(r.body) as Record<string, unknown> }));
  analytics.on('error', (e) => errors.push(String((e as { reason?: unknown }).reason)));
  return { analytics, sent, errors };
}

let run = 0;
/** One of each call, with ids unique to this run, as the test passes them to the library. */
function calls() {
  run++;
  const u = `seg-user-${Date.now().toString(36)}-${run}`;
  const at = (s: number) => new Date(Date.UTC(2026, 11, 7, 10, 0, s, 123));
  return {
    userId: u,
    track: { userId: u, event: 'order_placed', properties: { order_id: `o-${run}`, revenue: 12.5 }, timestamp: at(1), context: { ip: '10.0.0.1' } },
    identify: { userId: u, traits: { email: 'ada@example.com', plan: 'pro' }, timestamp: at(2) },
    page: { anonymousId: `anon-${u}`, category: 'Shop', name: 'Product Detail', properties: { sku: 'sku-1' }, timestamp: at(3) },
    otherPage: { userId: u, name: 'About', properties: { title: 'About us', url: 'https://example.com/about' }, timestamp: at(4) },
    screen: { userId: u, name: 'Home', properties: { tab: 'feed' }, timestamp: at(5) },
    group: { userId: u, groupId: `acme-${run}`, traits: { name: 'Acme', employees: 42 }, timestamp: at(6) },
    alias: { userId: u, previousId: `anon-${u}`, timestamp: at(7) },
  };
}

async function sendAll(analytics: Analytics, c: ReturnType<typeof calls>) {
  analytics.track(c.track);
  analytics.identify(c.identify);
  analytics.page(c.page);
  analytics.page(c.otherPage);
  analytics.screen(c.screen);
  analytics.group(c.group);
  analytics.alias(c.alias);
  await analytics.closeAndFlush({ timeout: 20_000 });
}

async function rowsOf(svc: TestService, c: ReturnType<typeof calls>): Promise<EventRow[]> {
  return svc.app.get(Database).query<EventRow>(
    `SELECT message_id, type, event, user_id, anonymous_id, properties, context, category, group_id, previous_id, schema_name,
            coalesce(schema_name, event) AS schema, schema_version, device_created_at, device_sent_at
       FROM "dwh".events WHERE user_id = $1 OR anonymous_id = $2 ORDER BY device_created_at`,
    [c.userId, `anon-${c.userId}`],
  );
}

/** Every call of `c` is in `rows` with its fields as the test gave them to the library. */
function expectDelivered(rows: EventRow[], c: ReturnType<typeof calls>) {
  const library = { name: '@segment/analytics-node', version: SDK_VERSION };
  const common = (ts: Date) => ({ device_created_at: ts, device_sent_at: expect.any(Date), schema_version: expect.any(String) });
  expect(rows).toEqual([
    expect.objectContaining({
      ...common(c.track.timestamp),
      type: 'track',
      event: 'order_placed',
      user_id: c.userId,
      anonymous_id: null,
      properties: c.track.properties,
      context: { ...c.track.context, library },
      schema_name: null,
      schema: 'order_placed',
      category: null,
      group_id: null,
      previous_id: null,
    }),
    expect.objectContaining({ ...common(c.identify.timestamp), type: 'identify', event: 'identify', user_id: c.userId, properties: c.identify.traits, context: { library }, schema_name: null, schema: 'identify' }),
    expect.objectContaining({
      ...common(c.page.timestamp),
      type: 'page',
      event: c.page.name,
      user_id: null,
      anonymous_id: c.page.anonymousId,
      category: c.page.category,
      // Segment's libraries copy a page's category into its properties.
      properties: { ...c.page.properties, category: c.page.category },
      schema_name: 'page_product_detail',
      schema: 'page_product_detail',
    }),
    expect.objectContaining({ ...common(c.otherPage.timestamp), type: 'page', event: 'About', category: null, properties: c.otherPage.properties, schema_name: 'page', schema: 'page' }),
    expect.objectContaining({ ...common(c.screen.timestamp), type: 'screen', event: 'Home', properties: c.screen.properties, schema_name: 'screen_home' }),
    expect.objectContaining({ ...common(c.group.timestamp), type: 'group', event: 'group', group_id: c.group.groupId, properties: c.group.traits, schema_name: null, schema: 'group' }),
    expect.objectContaining({ ...common(c.alias.timestamp), type: 'alias', event: 'alias', user_id: c.userId, previous_id: c.alias.previousId, properties: {}, schema_name: null, schema_version: '' }),
  ]);
  for (const r of rows) expect(r.schema_version).toBe(r.type === 'alias' ? '' : '1-0-0');
}

describe('Segment analytics-node against dwh-ingest', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0' } });
    await applyWarehouse(svc, { project: 'segment-fixture', event_schemas: PLAN });
  });
  afterAll(() => svc.close());

  it('delivers track, identify, page, screen, group and alias through /v1/batch, each stored with its fields', async () => {
    const { analytics, sent, errors } = client(svc, 'any-write-key');
    const c = calls();
    await sendAll(analytics, c);
    expect(errors).toEqual([]);
    // What the library really sent: Segment's batch path, with its writeKey, sentAt, library context and _metadata.
    expect(sent.length).toBeGreaterThanOrEqual(1);
    for (const r of sent) {
      expect(r.url).toBe(`${svc.url}/v1/batch`);
      expect(r.body).toMatchObject({ writeKey: 'any-write-key', sentAt: expect.any(String) });
    }
    const batch = sent.flatMap((r) => r.body['batch'] as Array<Record<string, unknown>>);
    expect(batch.map((m) => m['type'])).toEqual(['track', 'identify', 'page', 'page', 'screen', 'group', 'alias']);
    expect(batch[0]).toMatchObject({ _metadata: { jsRuntime: 'node' }, integrations: {} });
    const rows = await rowsOf(svc, c);
    expectDelivered(rows, c);
    expect(rows.map((r) => r.message_id)).toEqual(batch.map((m) => m['messageId']));
  });

  it('takes each call on its own Segment path, reports a screen nobody planned as rejected, and replays it once planned', async () => {
    const c = calls();
    const at = (s: number) => `2026-12-07T11:00:0${s}.000Z`;
    const id = (k: string) => `direct-${k}-${c.userId}`;
    const bodies: Array<[string, Record<string, unknown>]> = [
      ['/v1/page', { messageId: id('page'), userId: c.userId, name: 'Product Detail', category: 'Shop', properties: { sku: 's' }, timestamp: at(1) }],
      ['/v1/screen', { messageId: id('screen'), userId: c.userId, name: 'Home', properties: { tab: 't' }, timestamp: at(2) }],
      ['/v1/group', { messageId: id('group'), userId: c.userId, groupId: 'g1', traits: { name: 'G' }, timestamp: at(3) }],
      ['/v1/alias', { messageId: id('alias'), userId: c.userId, previousId: 'old-id', timestamp: at(4) }],
    ];
    for (const [path, body] of bodies) {
      const res = await callService<IngestResponse>(svc, 'POST', path, body);
      expect([path, res.status, res.json]).toEqual([path, 200, { accepted: 1, duplicates: 0, rejected: 0, results: [] }]);
    }
    const rows = await svc.app.get(Database).query<EventRow>(`SELECT * FROM "dwh".events WHERE user_id = $1 ORDER BY device_created_at`, [c.userId]);
    expect(rows.map((r) => [r.message_id, r.type, r.event, r.category, r.group_id, r.previous_id])).toEqual([
      [id('page'), 'page', 'Product Detail', 'Shop', null, null],
      [id('screen'), 'screen', 'Home', null, null, null],
      [id('group'), 'group', 'group', null, 'g1', null],
      [id('alias'), 'alias', 'alias', null, null, 'old-id'],
    ]);

    const bad = await callService<IngestResponse>(svc, 'POST', '/v1/screen', { messageId: id('bad'), userId: c.userId, name: 'Settings', timestamp: at(5) });
    expect(bad.status).toBe(200);
    expect(bad.json).toMatchObject({ accepted: 0, rejected: 1, results: [{ status: 'rejected', errors: [expect.objectContaining({ path: '$.type', code: 'UNPLANNED_EVENT' })] }] });
    const noGroup = await callService<IngestResponse>(svc, 'POST', '/v1/group', { messageId: id('nogroup'), userId: c.userId, traits: { name: 'G' }, timestamp: at(6) });
    expect(noGroup.json.results[0].errors).toEqual([expect.objectContaining({ path: '$.groupId', code: 'REQUIRED_MISSING' })]);
    const notObject = await callService<ErrorResponse>(svc, 'POST', '/v1/alias', [1]);
    expect([notObject.status, notObject.json.code]).toEqual([400, 'INVALID_ENVELOPE']);
    const failed = await svc.app.get(Database).query<{ message_id: string; event: string; codes: string[] }>(
      `SELECT message_id, event, codes FROM "dwh".failed_events WHERE message_id = ANY($1) ORDER BY message_id`,
      [[id('bad'), id('nogroup')]],
    );
    expect(failed.map((f) => [f.message_id, f.event, f.codes])).toEqual([
      [id('bad'), 'Settings', ['UNPLANNED_EVENT']],
      [id('nogroup'), 'group', ['REQUIRED_MISSING']],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));

    // Once the screen is planned, the replay stores it like live traffic, with the screen's fields.
    const planned = await callService(svc, 'POST', '/v1/schemas', { name: 'screen_settings', version: '1-0-0', schema: object({}) });
    expect(planned.status).toBe(201);
    const replay = await callService(svc, 'POST', '/v1/failed-events/replay', { event: 'Settings' });
    expect(replay.json).toMatchObject({ replayed: 1, accepted: 1 });
    const [replayed] = await svc.app.get(Database).query<EventRow>(`SELECT *, coalesce(schema_name, event) AS schema FROM "dwh".events WHERE message_id = $1`, [id('bad')]);
    expect(replayed).toMatchObject({ type: 'screen', event: 'Settings', schema_name: 'screen_settings', schema_version: '1-0-0', user_id: c.userId, properties: {} });
  });

  it("checks a new ADDITION of a page schema against the pages loaded under it (by the schema's name, not the page's)", async () => {
    const c = calls();
    const page = { messageId: `hist-${c.userId}`, userId: c.userId, name: 'Product Detail', properties: { sku: 'sku-history' }, timestamp: '2026-12-07T12:00:00.000Z' };
    expect((await callService<IngestResponse>(svc, 'POST', '/v1/page', page)).json.accepted).toBe(1);
    // `not` is beyond the structural check, so only the loaded pages can show the addition is not one.
    const previous = PLAN.find((d) => d.name === 'page_product_detail') as EventSchemaDocument;
    const addition = { ...previous, version: '1-0-1', schema: object({ sku: { type: 'string', not: { const: 'sku-history' } }, category: { type: 'string' } }, ['sku']) };
    const res = await callService<ErrorResponse>(svc, 'POST', '/v1/schemas', addition);
    expect([res.status, res.json.code]).toEqual([409, 'INCOMPATIBLE_SCHEMA_CHANGE']);
    expect(res.json.details).toContainEqual(expect.objectContaining({ code: 'HISTORICAL_DATA_INVALID', message: `messageId ${page.messageId}` }));
  });
});

describe('Segment write keys (production profile)', () => {
  let svc: TestService;
  const WRITE_KEY = 'segment-write-key-0123456789abcdef';
  const READ_ONLY = 'segment-read-only-0123456789abcdef';
  const ADMIN = 'segment-admin-token-0123456789abcdef';
  const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, {
      env: {
        TRANSFORM_INTERVAL_SECONDS: '0',
        SLA_CHECK_INTERVAL_SECONDS: '0',
        PLATFORM_PROFILE: 'production',
        MIGRATE_ON_START: 'true',
        NATS_URL: undefined,
        REDIS_URL: undefined,
        TRANSPORT_SECRET: 'dwh-ingest-int-spec-transport-secret-0123456789',
        AUTH_TOKENS: JSON.stringify([
          { name: 'segment-source', token: WRITE_KEY, scopes: ['ingest:write'] },
          { name: 'reader', token: READ_ONLY, scopes: ['ingest:read'] },
          { name: 'admin', token: ADMIN, scopes: ['admin'] },
        ]),
      },
    });
    await applyWarehouse(svc, { project: 'segment-fixture', event_schemas: PLAN }, { authorization: `Bearer ${ADMIN}` });
  });
  afterAll(() => svc.close());

  it('stores what analytics-node sends with a token as its write key, and refuses a wrong write key with 401', async () => {
    const good = client(svc, WRITE_KEY);
    const c = calls();
    await sendAll(good.analytics, c);
    expect(good.errors).toEqual([]);
    expectDelivered(await rowsOf(svc, c), c);

    const wrong = client(svc, 'not-the-write-key-0123456789abcdef');
    const w = calls();
    await sendAll(wrong.analytics, w);
    expect(wrong.errors.length).toBe(7);
    expect(new Set(wrong.errors)).toEqual(new Set(['Error: [401] Unauthorized']));
    expect(await rowsOf(svc, w)).toEqual([]);
  });

  it('takes the write key as Segment HTTP API Basic auth, keeps bearer tokens, and checks the scope', async () => {
    const c = calls();
    const msg = (k: string) => ({ messageId: `wk-${k}-${c.userId}`, userId: c.userId, previousId: 'p', timestamp: '2026-12-07T10:00:00.000Z' });
    const status = async (path: string, body: unknown, headers: Record<string, string>) => {
      const res = await callService<ErrorResponse>(svc, 'POST', path, body, headers);
      return res.status === 200 ? 200 : `${res.status} ${res.json.code}`;
    };
    expect(await status('/v1/alias', msg('basic'), basic(WRITE_KEY))).toBe(200);
    expect(await status('/v1/batch', { batch: [{ ...msg('batch'), type: 'alias' }] }, basic(WRITE_KEY))).toBe(200);
    expect(await status('/v1/alias', msg('bearer'), { authorization: `Bearer ${WRITE_KEY}` })).toBe(200);
    expect(await status('/v1/alias', { ...msg('body'), writeKey: WRITE_KEY }, {})).toBe(200);
    // A rejected message keeps its payload in failed events, but never the write key it carried.
    const rejected = { ...msg('rejected'), previousId: undefined, writeKey: WRITE_KEY };
    expect(await status('/v1/alias', rejected, {})).toBe(200);
    const [failed] = await svc.app.get(Database).query<{ payload: Record<string, unknown> }>(`SELECT payload FROM "dwh".failed_events WHERE message_id = $1`, [rejected.messageId]);
    expect(failed.payload).toEqual({ type: 'alias', messageId: rejected.messageId, userId: c.userId, timestamp: rejected.timestamp });
    expect(await status('/v1/alias', msg('wrong'), basic(`${WRITE_KEY}x`))).toBe('401 UNAUTHENTICATED');
    expect(await status('/v1/alias', msg('none'), {})).toBe('401 UNAUTHENTICATED');
    expect(await status('/v1/alias', msg('reader'), basic(READ_ONLY))).toBe('403 FORBIDDEN');
    // A present header decides; the body's key is no second chance.
    expect(await status('/v1/alias', { ...msg('both'), writeKey: WRITE_KEY }, basic('wrong-key-0123456789abcdef'))).toBe('401 UNAUTHENTICATED');
    // Other routes keep bearer tokens only.
    expect(await status('/v1/warehouse/apply', { project: 'x', dry_run: true }, basic(ADMIN))).toBe('401 UNAUTHENTICATED');
    const stored = await svc.app.get(Database).query<{ message_id: string }>(`SELECT message_id FROM "dwh".events WHERE user_id = $1 ORDER BY message_id`, [c.userId]);
    expect(stored.map((r) => r.message_id)).toEqual(['basic', 'batch', 'bearer', 'body'].map((k) => `wk-${k}-${c.userId}`));
  });
});
