import { formatFeatureRef, parseFeatureRef, quoteIdent } from './feature-ref';

describe('feature references', () => {
  it('parses plain and version-pinned references', () => {
    expect(parseFeatureRef('user_activity:orders_7d')).toEqual({ view: 'user_activity', version: undefined, feature: 'orders_7d' });
    expect(parseFeatureRef('user_activity@v2:orders_7d')).toEqual({ view: 'user_activity', version: 2, feature: 'orders_7d' });
    expect(formatFeatureRef({ view: 'a', version: 3, feature: 'b' })).toBe('a@v3:b');
  });

  it('refuses injection attempts and malformed references with a code', () => {
    for (const bad of ['a:b"; drop table x', 'A:b', 'a:', ':b', 'a@v:b', 'a@2:b', 'a:b:c', 'a b:c']) {
      expect(() => parseFeatureRef(bad)).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_FEATURE_REF' }));
    }
  });

  it('never quotes an identifier outside the strict pattern', () => {
    expect(quoteIdent('revenue_7d')).toBe('"revenue_7d"');
    expect(() => quoteIdent('x" OR 1=1 --')).toThrow();
  });
});
