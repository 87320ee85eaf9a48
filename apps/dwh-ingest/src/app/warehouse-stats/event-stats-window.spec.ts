import { bucketStarts, statsWindow, type StatsWindow } from './event-stats-window';

const now = new Date('2026-12-07T10:17:00.000Z');

describe('the window an events stats query asks for', () => {
  it('defaults to the 24 hours before now, in whole UTC hours up to the end of the current one', () => {
    const w = statsWindow({}, now) as StatsWindow;
    expect(w.from.toISOString()).toBe('2026-12-06T10:00:00.000Z');
    expect(w.to.toISOString()).toBe('2026-12-07T11:00:00.000Z');
    expect(w.top).toBe(10);
    expect(bucketStarts(w)).toHaveLength(25);
  });

  it('rounds from down and to up to the bucket, days in UTC', () => {
    const w = statsWindow({ from: '2026-12-01T23:30:00+02:00', to: '2026-12-03T00:00:00Z', bucket: 'day', top: '3' }, now) as StatsWindow;
    expect(w.from.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(w.to.toISOString()).toBe('2026-12-03T00:00:00.000Z');
    expect(bucketStarts(w).map((t) => new Date(t).toISOString())).toEqual(['2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z']);
    expect(w.top).toBe(3);
  });

  it('refuses an empty or reversed range, unreadable dates, too many buckets and a bad top, with a code and path', () => {
    expect(statsWindow({ from: '2026-12-07T10:00:00Z', to: '2026-12-07T09:00:00Z' }, now)).toMatchObject({ code: 'INVALID_STATS_QUERY', path: '$.from' });
    expect(statsWindow({ to: 'yesterday' }, now)).toMatchObject({ code: 'INVALID_STATS_QUERY', path: '$.to' });
    expect(statsWindow({ from: '2026-01-01T00:00:00Z' }, now)).toMatchObject({ code: 'INVALID_STATS_QUERY', message: expect.stringContaining('at most 744 buckets') });
    expect(statsWindow({ from: '2026-01-01T00:00:00Z', bucket: 'day' }, now)).toMatchObject({ bucket: 'day' });
    expect(statsWindow({ top: '0' }, now)).toMatchObject({ code: 'INVALID_STATS_QUERY', path: '$.top' });
    expect(statsWindow({ top: '101' }, now)).toMatchObject({ path: '$.top' });
  });
});
