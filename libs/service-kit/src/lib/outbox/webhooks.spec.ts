import { createHmac } from 'node:crypto';
import { parseWebhookReceivers, receives, signWebhook, urlOrigin, verifyWebhook, webhookKey } from './webhooks';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const key = webhookKey(SECRET);
const body = '{"id":"trainer:41","event":"model.promoted.v1","payload":{"model":"churn","version":7}}';
const ts = 1_772_366_400; // 2026-03-01T12:00:00Z

describe('Standard Webhooks signatures', () => {
  it('signs id.timestamp.body with the base64-decoded whsec_ secret, as the standard\'s libraries verify', () => {
    // The example of the Standard Webhooks specification and its reference libraries.
    expect(signWebhook(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    // And in general: HMAC-SHA256 over the three parts joined by dots, base64.
    const expected = createHmac('sha256', Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64')).update(`msg_1.${ts}.${body}`).digest('base64');
    expect(signWebhook(key, 'msg_1', ts, body)).toBe(`v1,${expected}`);
  });

  it('accepts a fresh delivery and refuses a replay once its timestamp is older than the tolerance', () => {
    const headers = { id: 'trainer:41', timestamp: String(ts), signature: signWebhook(key, 'trainer:41', ts, body) };
    expect(verifyWebhook(key, headers, body, { now: ts * 1000 + 60_000 })).toEqual({ ok: true });
    expect(verifyWebhook(key, headers, body, { now: ts * 1000 + 301_000 })).toEqual({ ok: false, reason: 'timestamp_too_old' });
    expect(verifyWebhook(key, headers, body, { now: ts * 1000 - 301_000 })).toEqual({ ok: false, reason: 'timestamp_too_new' });
  });

  it('refuses a changed body, a moved timestamp, another secret and missing headers', () => {
    const headers = { id: 'trainer:41', timestamp: String(ts), signature: signWebhook(key, 'trainer:41', ts, body) };
    const now = ts * 1000;
    expect(verifyWebhook(key, headers, body.replace('7', '8'), { now })).toMatchObject({ reason: 'bad_signature' });
    // A replay with a fresh timestamp but the old signature.
    expect(verifyWebhook(key, { ...headers, timestamp: String(ts + 600) }, body, { now: now + 600_000 })).toMatchObject({ reason: 'bad_signature' });
    expect(verifyWebhook(webhookKey('whsec_' + Buffer.alloc(32, 7).toString('base64')), headers, body, { now })).toMatchObject({ reason: 'bad_signature' });
    expect(verifyWebhook(key, { id: 'trainer:41' }, body, { now })).toMatchObject({ reason: 'missing_headers' });
    // Several signatures (a secret being rotated): any v1 entry may match.
    expect(verifyWebhook(key, { ...headers, signature: `v1,AAAA ${headers.signature}` }, body, { now })).toEqual({ ok: true });
  });
});

describe('webhook receivers', () => {
  const receivers = parseWebhookReceivers(
    {
      WEBHOOKS: JSON.stringify([
        { name: 'ops-pager', url: 'https://hooks.example.com/T000/B000/XXXX?token=abc', secret: SECRET, events: ['dwh.sla.*', 'model.drift.detected.v1'] },
        { name: 'audit', url: 'https://audit.example.com/in', secret: SECRET },
      ]),
    },
    true,
  );

  it('each has its own secret and events; a filter is exact, a prefix, or everything', () => {
    expect(receivers.map((r) => [r.name, receives(r, 'dwh.sla.breached.v1'), receives(r, 'model.promoted.v1'), receives(r, 'model.drift.detected.v1')])).toEqual([
      ['ops-pager', true, false, true],
      ['audit', true, true, true],
    ]);
    expect(receivers[0].key.equals(key)).toBe(true);
    expect(urlOrigin(receivers[0].url)).toBe('https://hooks.example.com');
  });

  it('keeps WEBHOOK_URLS working: every event to every URL, signed with WEBHOOK_SECRET', () => {
    const legacy = parseWebhookReceivers({ WEBHOOK_URLS: 'http://127.0.0.1:3090/webhooks, http://127.0.0.1:3091/x', WEBHOOK_SECRET: 'local-demo-webhook-secret' }, false);
    expect(legacy.map((r) => [r.name, r.events, r.key.toString()])).toEqual([
      ['webhook-1', ['*'], 'local-demo-webhook-secret'],
      ['webhook-2', ['*'], 'local-demo-webhook-secret'],
    ]);
  });

  it('refuses in production a receiver without a secret or over plain http, and in any profile a weak secret or a bad filter', () => {
    expect(() => parseWebhookReceivers({ WEBHOOKS: JSON.stringify([{ name: 'a', url: 'https://x.example.com' }]) }, true)).toThrow(/receiver a has no secret/);
    expect(() => parseWebhookReceivers({ WEBHOOKS: JSON.stringify([{ name: 'a', url: 'http://x.example.com', secret: SECRET }]) }, true)).toThrow(/must use https/);
    expect(() => parseWebhookReceivers({ WEBHOOK_URLS: 'https://x.example.com' }, true)).toThrow(/WEBHOOK_SECRET receiver webhook-1 has no secret/);
    expect(() => parseWebhookReceivers({ WEBHOOKS: JSON.stringify([{ name: 'a', url: 'https://x.example.com', secret: 'whsec_c2hvcnQ=' }]) }, false)).toThrow(/at least 24 bytes/);
    expect(() => parseWebhookReceivers({ WEBHOOKS: JSON.stringify([{ name: 'a', url: 'https://x.example.com', events: ['dwh.*.breached'] }]) }, false)).toThrow(/events must be/);
    expect(() => parseWebhookReceivers({ WEBHOOKS: JSON.stringify([{ name: 'a', url: 'https://x' }, { name: 'a', url: 'https://y' }]) }, false)).toThrow(/duplicate receiver name a/);
    expect(() => parseWebhookReceivers({ WEBHOOKS: '[]', WEBHOOK_URLS: 'https://x' }, false)).toThrow(/both set/);
  });
});
