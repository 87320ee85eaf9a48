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

  it('refuses templates it cannot match exactly', () => {
    expect(() => routes.register({ method: 'POST', path: '/v2/*', handle })).toThrow(/plain segments/);
    expect(() => routes.register({ method: 'POST', path: '/v2//x', handle })).toThrow(/plain segments/);
  });
});
