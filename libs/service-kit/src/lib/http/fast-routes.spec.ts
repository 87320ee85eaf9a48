import { FastRoutes } from './fast-routes';

describe('FastRoutes.match', () => {
  const routes = new FastRoutes();
  const handle = () => ({});
  routes.register({ method: 'POST', path: '/v2/models/:model/infer', handle });
  routes.register({ method: 'POST', path: '/v2/models/:model/versions/:version/infer', handle });

  it('matches the template and decodes its parameters, ignoring the query string', () => {
    expect(routes.match('POST', '/v2/models/churn/infer')?.params).toEqual({ model: 'churn' });
    expect(routes.match('POST', '/v2/models/ch%C3%BCrn/versions/3/infer?x=1')?.params).toEqual({ model: 'chürn', version: '3' });
  });

  it('leaves everything else to Fastify: other methods, paths, empty parameters, trailing slashes, bad escapes', () => {
    expect(routes.match('GET', '/v2/models/churn/infer')).toBeUndefined();
    expect(routes.match('POST', '/v2/models/churn')).toBeUndefined();
    expect(routes.match('POST', '/v2/models//infer')).toBeUndefined();
    expect(routes.match('POST', '/v2/models/churn/infer/')).toBeUndefined();
    expect(routes.match('POST', '/v2/models/%E0%A4%A/infer')).toBeUndefined();
    expect(routes.match('POST', 'v2/models/churn/infer')).toBeUndefined();
  });

  it('answers a repeated request line from its cache, the same as the first time', () => {
    const first = routes.match('POST', '/v2/models/a%20b/versions/7/infer');
    const again = routes.match('POST', '/v2/models/a%20b/versions/7/infer');
    expect(again).toEqual(first);
    expect(again?.params).toEqual({ model: 'a b', version: '7' });
    expect(Object.isFrozen(again?.params)).toBe(true);
    expect(routes.match('POST', '/v2/models/a/nope')).toBeUndefined();
    expect(routes.match('POST', '/v2/models/a/nope')).toBeUndefined();
    for (let i = 0; i < 2000; i++) routes.match('POST', `/v2/models/m${i}/infer`); // bounded, keeps working
    expect(routes.match('POST', '/v2/models/m1999/infer')?.params).toEqual({ model: 'm1999' });
  });

  it('refuses templates it cannot match exactly', () => {
    expect(() => routes.register({ method: 'POST', path: '/v2/*', handle })).toThrow(/plain segments/);
    expect(() => routes.register({ method: 'POST', path: '/v2//x', handle })).toThrow(/plain segments/);
  });
});
