import { cronProblem, latestOccurrence, nextOccurrence, scheduleTick } from './cron-schedule';

const at = (iso: string) => new Date(iso);

describe('cron scheduling', () => {
  it('validates five-field cron expressions', () => {
    expect(cronProblem('0 3 * * *')).toBeNull();
    expect(cronProblem('0 3 * *')).toMatch(/five fields/);
    expect(cronProblem('0 99 * * *')).not.toBeNull();
    expect(cronProblem('0 3 * * *', 'Not/AZone')).not.toBeNull();
  });

  it('finds the latest occurrence at or before now and the next one after', () => {
    expect(latestOccurrence('0 3 * * *', at('2026-03-10T02:59:00Z')).toISOString()).toBe('2026-03-09T03:00:00.000Z');
    expect(latestOccurrence('0 3 * * *', at('2026-03-10T03:00:00Z')).toISOString()).toBe('2026-03-10T03:00:00.000Z');
    expect(nextOccurrence('0 3 * * *', at('2026-03-10T03:00:00Z')).toISOString()).toBe('2026-03-11T03:00:00.000Z');
  });

  it('enqueues once when an occurrence has passed since the last handled one', () => {
    const tick = scheduleTick({ cron: '0 3 * * *', lastHandled: at('2026-03-09T03:00:00Z'), now: at('2026-03-10T03:00:05Z'), activeRun: false });
    expect(tick).toEqual({ action: 'enqueue', due: at('2026-03-10T03:00:00Z') });
    expect(scheduleTick({ cron: '0 3 * * *', lastHandled: at('2026-03-10T03:00:00Z'), now: at('2026-03-10T04:00:00Z'), activeRun: false }).action).toBe('idle');
  });

  it('does not stack missed runs: a week of downtime yields one run for the latest occurrence', () => {
    const tick = scheduleTick({ cron: '0 3 * * *', lastHandled: at('2026-03-01T03:00:00Z'), now: at('2026-03-08T12:00:00Z'), activeRun: false });
    expect(tick).toEqual({ action: 'enqueue', due: at('2026-03-08T03:00:00Z') });
  });

  it('skips an occurrence while a run of the model is still going, never overlapping', () => {
    expect(scheduleTick({ cron: '*/5 * * * *', lastHandled: at('2026-03-10T10:00:00Z'), now: at('2026-03-10T10:05:01Z'), activeRun: true })).toEqual({
      action: 'skip_overlap',
      due: at('2026-03-10T10:05:00Z'),
    });
  });
});
