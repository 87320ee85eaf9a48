import { listMessages, maySend, messageOwner, transportSubjects } from '../index';
import { PLATFORM_APPS, SERVICE_NAMES } from './platform.contracts';

describe('who may send each platform message', () => {
  const platform = listMessages().filter((m) => !m.pattern.startsWith('spec'));

  it('every platform event names its producer and every message its callers, all of them platform services', () => {
    for (const m of platform) {
      if ('payload' in m) {
        expect([m.pattern, SERVICE_NAMES.includes(m.producer as never)]).toEqual([m.pattern, true]);
        for (const c of m.consumers) expect([m.pattern, SERVICE_NAMES.includes(c as never)]).toEqual([m.pattern, true]);
      } else {
        expect([m.pattern, PLATFORM_APPS.includes(messageOwner(m.pattern)), Array.isArray(m.callers)]).toEqual([m.pattern, true, true]);
        for (const c of m.callers ?? []) expect([m.pattern, PLATFORM_APPS.includes(c)]).toEqual([m.pattern, true]);
      }
    }
  });

  it('only the trainer may announce a promotion: model-serving swaps its served version on it', () => {
    expect(SERVICE_NAMES.filter((s) => maySend(s, 'model.promoted.v1'))).toEqual(['trainer']);
    expect(SERVICE_NAMES.filter((s) => transportSubjects(s).publish.includes('model.promoted.v1'))).toEqual(['trainer']);
    expect(SERVICE_NAMES.filter((s) => transportSubjects(s).subscribe.includes('model.promoted.v1'))).toEqual(['model-serving']);
  });

  it('only model-serving writes the prediction log, and a service always reaches its own info (readiness)', () => {
    expect(SERVICE_NAMES.filter((s) => maySend(s, 'dwh-ingest.prediction-log.v2'))).toEqual(['dwh-ingest', 'model-serving']);
    for (const s of SERVICE_NAMES) {
      const own = `${s}.info.v1`;
      expect(transportSubjects(s).publish).toContain(own);
      expect(transportSubjects(s).subscribe).toContain(own);
    }
  });
});
