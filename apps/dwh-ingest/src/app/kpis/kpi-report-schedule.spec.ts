import { dueOccurrence, latestOccurrence, reportScheduleProblem, reportWindow } from './kpi-report-schedule';

describe('KPI report schedule', () => {
  it('accepts 5-field cron and says what is wrong with anything else', () => {
    expect(reportScheduleProblem('0 7 * * 1')).toBeNull();
    expect(reportScheduleProblem('*/15 * * * *')).toBeNull();
    expect(reportScheduleProblem('0 7 * * 1 2026')).toMatch(/5 fields/);
    expect(reportScheduleProblem('every monday')).toMatch(/5 fields/);
    expect(reportScheduleProblem('61 7 * * 1')).toMatch(/schedule 61 7/);
  });

  it('finds the latest occurrence at or before now, in UTC', () => {
    expect(latestOccurrence('0 7 * * 1', new Date('2026-12-09T12:00:00Z')).toISOString()).toBe('2026-12-07T07:00:00.000Z'); // Wednesday -> Monday
    expect(latestOccurrence('0 7 * * 1', new Date('2026-12-07T07:00:00Z')).toISOString()).toBe('2026-12-07T07:00:00.000Z'); // exactly at it
    expect(latestOccurrence('0 7 * * 1', new Date('2026-12-07T06:59:59Z')).toISOString()).toBe('2026-11-30T07:00:00.000Z');
  });

  it('is due for the latest occurrence only within the catch-up time', () => {
    const hour = 3_600_000;
    expect(dueOccurrence('0 7 * * *', new Date('2026-12-07T07:30:00Z'), hour)?.toISOString()).toBe('2026-12-07T07:00:00.000Z');
    expect(dueOccurrence('0 7 * * *', new Date('2026-12-07T08:00:01Z'), hour)).toBeNull();
  });

  it('covers the window_days before the occurrence day, inclusive', () => {
    expect(reportWindow(new Date('2026-12-07T07:00:00Z'), { schedule: '0 7 * * 1', webhook: 'bi' })).toEqual({ from: '2026-11-30', to: '2026-12-06' });
    expect(reportWindow(new Date('2026-03-01T00:00:00Z'), { schedule: '0 0 1 * *', webhook: 'bi', window_days: 28 })).toEqual({ from: '2026-02-01', to: '2026-02-28' });
  });
});
