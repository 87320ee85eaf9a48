import { signMeta, transportKey, TransportVerifier } from './transport-auth';

const key = transportKey('a-platform-transport-secret-of-32+chars');
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const WINDOW = 30_000;

function setup(maySend = (sender: string, pattern: string) => !(pattern === 'model.promoted.v1' && sender !== 'trainer')) {
  let now = T0;
  const verifier = new TransportVerifier({ key, self: 'model-serving', windowMs: WINDOW, now: () => now, maySend });
  return { verifier, advance: (ms: number) => (now += ms), at: () => now };
}

function signed(pattern: string, data: unknown, meta: Partial<{ caller: string; to: string; sentAt: string; requestId: string }> = {}, withKey = key) {
  return {
    meta: signMeta(withKey, pattern, { caller: 'trainer', to: 'model-serving', requestId: 'req-1', sentAt: new Date(T0).toISOString(), ...meta }, data),
    data,
  };
}

const promoted = { model: 'churn', alias: 'champion', version: 7, previousVersion: 6, reason: 'gate', at: '2026-03-01T12:00:00.000Z' };

describe('transport message authentication', () => {
  it('accepts a message signed by an allowed sender, once', () => {
    const { verifier } = setup();
    const message = signed('model.promoted.v1', promoted);
    expect(verifier.check('model.promoted.v1', message, 'event')).toEqual({ accept: true, caller: 'trainer' });
    // The same bytes again (a captured message played back): a replay.
    expect(verifier.check('model.promoted.v1', structuredClone(message), 'event')).toMatchObject({ accept: false, reason: 'replayed' });
  });

  it('refuses an unsigned message, one signed with another secret, and one changed on the way', () => {
    const { verifier } = setup();
    expect(verifier.check('model.promoted.v1', { meta: { requestId: 'r', caller: 'trainer', sentAt: new Date(T0).toISOString() }, data: promoted }, 'event')).toMatchObject({
      accept: false,
      reason: 'unsigned',
    });
    expect(verifier.check('model.promoted.v1', signed('model.promoted.v1', promoted, {}, transportKey('another-secret-that-is-long-enough!!')), 'event')).toMatchObject({
      reason: 'bad_signature',
    });
    const altered = signed('model.promoted.v1', promoted);
    altered.data = { ...promoted, version: 1 };
    expect(verifier.check('model.promoted.v1', altered, 'event')).toMatchObject({ reason: 'bad_signature' });
    const renamed = signed('model.promoted.v1', promoted);
    renamed.meta.caller = 'feature-store';
    expect(verifier.check('model.promoted.v1', renamed, 'event')).toMatchObject({ reason: 'bad_signature' });
    // Signed for one pattern, delivered on another.
    expect(verifier.check('model.drift.detected.v1', signed('model.promoted.v1', promoted), 'event')).toMatchObject({ reason: 'bad_signature' });
    expect(verifier.check('model.promoted.v1', 'not an envelope', 'event')).toMatchObject({ reason: 'malformed' });
  });

  it('accepts the previous secret too while a new one rolls out, and only then', () => {
    const previous = transportKey('the-secret-being-replaced-0123456789ab');
    const rotating = new TransportVerifier({ key, previousKey: previous, self: 'model-serving', windowMs: WINDOW, now: () => T0, maySend: () => true });
    expect(rotating.check('model.promoted.v1', signed('model.promoted.v1', promoted, {}, previous), 'event')).toMatchObject({ accept: true });
    expect(rotating.check('model.promoted.v1', signed('model.promoted.v1', promoted, {}, key), 'event')).toMatchObject({ accept: true });
    const { verifier } = setup();
    expect(verifier.check('model.promoted.v1', signed('model.promoted.v1', promoted, {}, previous), 'event')).toMatchObject({ reason: 'bad_signature' });
  });

  it('refuses an authentic message from a service that may not send it', () => {
    const { verifier } = setup();
    expect(verifier.check('model.promoted.v1', signed('model.promoted.v1', promoted, { caller: 'feature-store' }), 'event')).toEqual({
      accept: false,
      reason: 'unauthorized_sender',
      caller: 'feature-store',
    });
  });

  it('refuses messages outside the replay window either way, and a replay for as long as its time is accepted', () => {
    const { verifier, advance, at } = setup();
    const message = signed('model.promoted.v1', promoted);
    advance(WINDOW + 1);
    expect(verifier.check('model.promoted.v1', message, 'event')).toMatchObject({ reason: 'stale' });
    expect(verifier.check('model.promoted.v1', signed('model.promoted.v1', promoted, { sentAt: new Date(at() + WINDOW + 1).toISOString() }), 'event')).toMatchObject({
      reason: 'stale',
    });
    // A message from a clock a full window ahead is accepted, and its replay refused until it is stale.
    const ahead = signed('model.promoted.v1', promoted, { sentAt: new Date(at() + WINDOW).toISOString() });
    expect(verifier.check('model.promoted.v1', ahead, 'event')).toMatchObject({ accept: true });
    for (let step = 0; step < 8; step++) {
      advance(WINDOW / 4);
      expect(verifier.check('model.promoted.v1', ahead, 'event')).toMatchObject({ accept: false, reason: 'replayed' });
    }
    advance(1);
    expect(verifier.check('model.promoted.v1', ahead, 'event')).toMatchObject({ accept: false, reason: 'stale' });
  });

  it('ignores an event copy addressed to another consumer but refuses a misaddressed request', () => {
    const { verifier } = setup();
    expect(verifier.check('model.promoted.v1', signed('model.promoted.v1', promoted, { to: 'trainer' }), 'event')).toEqual({ accept: false, ignore: true, caller: 'trainer' });
    expect(verifier.check('trainer.aliases.v1', signed('trainer.aliases.v1', {}, { to: 'trainer' }), 'message')).toMatchObject({ reason: 'misaddressed' });
  });

  it('forgets nonces only after they can no longer be accepted', () => {
    const { verifier, advance, at } = setup(() => true);
    for (let i = 0; i < 50; i++) {
      expect(verifier.check('x.y.v1', signed('x.y.v1', { i }, { sentAt: new Date(at()).toISOString() }), 'message')).toMatchObject({ accept: true });
      advance(WINDOW / 10);
    }
    // Five windows passed: at most the last three generations (about 30 messages) are kept.
    expect(verifier.remembered).toBeLessThanOrEqual(31);
    expect(verifier.remembered).toBeGreaterThanOrEqual(20);
  });
});
