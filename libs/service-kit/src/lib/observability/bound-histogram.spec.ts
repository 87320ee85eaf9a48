import { Histogram, Registry } from 'prom-client';
import { BoundHistogram } from './bound-histogram';

describe('bound histogram', () => {
  it('exposes exactly what a prom-client histogram exposes for the same observations', async () => {
    const mine = new Registry();
    const theirs = new Registry();
    const buckets = [0.001, 0.005, 0.025, 0.1];
    const bound = new BoundHistogram('infer_seconds', 'help text', ['model', 'version'], buckets, [mine]);
    const reference = new Histogram({ name: 'infer_seconds', help: 'help text', labelNames: ['model', 'version'], buckets, registers: [theirs] });
    const a = bound.bind({ model: 'churn', version: '1' });
    const samples = [0.0005, 0.001, 0.003, 0.02, 0.5, 0.1, 0.0999];
    for (const v of samples) {
      a(v);
      reference.observe({ model: 'churn', version: '1' }, v);
    }
    bound.observe({ model: 'churn', version: '2' }, 0.004);
    reference.observe({ model: 'churn', version: '2' }, 0.004);
    expect(await mine.metrics()).toBe(await theirs.metrics());
    // With a registry's default labels too (the kit sets `service` on every metric).
    mine.setDefaultLabels({ service: 'svc' });
    theirs.setDefaultLabels({ service: 'svc' });
    expect(await mine.metrics()).toBe(await theirs.metrics());
  });

  it('keeps one series per label set however often it is bound, and resets', async () => {
    const registry = new Registry();
    const h = new BoundHistogram('rows', 'rows per batch', ['model'], [1, 8], [registry]);
    h.bind({ model: 'm' })(1);
    h.bind({ model: 'm' })(9);
    h.bind({ model: 'm' })(Number.NaN); // ignored, never a broken exposition
    const text = await registry.metrics();
    expect(text).toContain('rows_count{model="m"} 2');
    expect(text).toContain('rows_bucket{le="+Inf",model="m"} 2');
    expect(text).toContain('rows_bucket{le="1",model="m"} 1');
    h.reset();
    expect(await registry.metrics()).not.toContain('rows_count');
  });

  it('keeps counting through a recorder bound before a reset, from zero', async () => {
    const registry = new Registry();
    const h = new BoundHistogram('rows', 'rows per batch', ['model'], [1, 8], [registry]);
    const record = h.bind({ model: 'm' });
    record(1);
    record(2);
    registry.resetMetrics();
    record(9);
    h.bind({ model: 'm' })(0.5);
    const text = await registry.metrics();
    expect(text).toContain('rows_count{model="m"} 2');
    expect(text).toContain('rows_bucket{le="1",model="m"} 1');
    expect(text).toContain('rows_sum{model="m"} 9.5');
  });
});
