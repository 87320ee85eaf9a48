import { MetricsService } from './metrics.service';

const count = (text: string, labels: string) => Number(new RegExp(`^http_request_duration_seconds_count\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('metrics service', () => {
  it('counts HTTP requests per method, route template and status, after a registry reset too', async () => {
    const metrics = new MetricsService();
    metrics.setServiceLabel('svc');
    metrics.observeHttp('GET', '/v1/things/:id', 200, 0.002);
    metrics.observeHttp('GET', '/v1/things/:id', 200, 0.004);
    metrics.observeHttp('GET', '/v1/things/:id', 404, 0.001);
    metrics.observeHttp('POST', '/v1/things/:id', 200, 0.003);
    metrics.observeHttp('GET', 'unmatched', 404, 0.001);
    let text = await metrics.registry.metrics();
    expect(count(text, 'service="svc",method="GET",route="/v1/things/:id",status="200"')).toBe(2);
    expect(count(text, 'service="svc",method="GET",route="/v1/things/:id",status="404"')).toBe(1);
    expect(count(text, 'service="svc",method="POST",route="/v1/things/:id",status="200"')).toBe(1);
    expect(count(text, 'service="svc",method="GET",route="unmatched",status="404"')).toBe(1);
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.0025",service="svc",method="GET",route="/v1/things/:id",status="200"} 1');
    metrics.registry.resetMetrics();
    metrics.observeHttp('GET', '/v1/things/:id', 200, 0.002);
    text = await metrics.registry.metrics();
    expect(count(text, 'service="svc",method="GET",route="/v1/things/:id",status="200"')).toBe(1);
    expect(text).not.toContain('status="404"');
  });
});
