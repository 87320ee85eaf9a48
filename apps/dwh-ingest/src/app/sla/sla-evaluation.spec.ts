import { completenessStatus, freshnessStatus, parseOverrides, worst } from './sla-evaluation';

describe('SLA evaluation', () => {
  const t = { warnAfter: 60, errorAfter: 300 };
  it('grades freshness against warn_after and error_after', () => {
    expect(freshnessStatus(10, t).status).toBe('ok');
    expect(freshnessStatus(60, t).status).toBe('warn');
    expect(freshnessStatus(301, t)).toEqual({ status: 'error', reason: 'newest data 301 s old, error after 300 s' });
    expect(freshnessStatus(null, t).status).toBe('warn');
  });

  it('grades completeness by the rejected share, with no traffic being fine', () => {
    expect(completenessStatus(null, { warnAfter: 0.05, errorAfter: 0.2 }).status).toBe('ok');
    expect(completenessStatus(0.1, { warnAfter: 0.05, errorAfter: 0.2 }).status).toBe('warn');
    expect(completenessStatus(0.5, { warnAfter: 0.05, errorAfter: 0.2 }).status).toBe('error');
  });

  it('takes the worst status', () => {
    expect(worst(['ok', 'warn', 'ok'])).toBe('warn');
    expect(worst([])).toBe('ok');
  });

  it('parses overrides and names what is wrong with them', () => {
    expect(parseOverrides('{"events": {"warnAfter": 1, "errorAfter": 2}}', ['events']).get('events')).toEqual({ warnAfter: 1, errorAfter: 2 });
    expect(() => parseOverrides('{"evnts": {"warnAfter": 1, "errorAfter": 2}}', ['events'])).toThrow(/unknown dataset evnts/);
    expect(() => parseOverrides('{"events": {"warnAfter": 5, "errorAfter": 2}}', ['events'])).toThrow(/warnAfter <= errorAfter/);
    expect(() => parseOverrides('{', ['events'])).toThrow(/not valid JSON/);
  });
});
