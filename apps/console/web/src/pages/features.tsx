import type { ChartConfiguration } from 'chart.js';
import { useMemo } from 'react';
import { seg } from '../api';
import { ChartCanvas, COLORS } from '../charts/chart';
import { ErrorBox, Loading, Section, StatusDot, type Rag } from '../components';
import { ago, num, pct, when } from '../format';
import { Link } from '../router';
import { useCan } from '../session';
import type { FeatureViewStats } from '@mlp/client';
import { features } from '../platform';
import { useCall } from '../use-api';

const freshnessRag = (s: string | undefined): Rag => (s === 'OK' ? 'green' : s === 'BREACHED' ? 'red' : s === 'NO_DATA' ? 'amber' : 'unknown');
const days = (s: number) => (s >= 86400 ? `${+(s / 86400).toFixed(1)} d` : `${+(s / 3600).toFixed(1)} h`);

/** What features exist, from which versions of which views, and are they fresh? */
export function FeaturesPage() {
  const can = useCan();
  const readable = can('feature-store', 'GET', '/v1/feature-views');
  const entities = useCall(readable ? 'entities' : null, async (signal) => ({ entities: await features.entities({ signal }) }));
  const views = useCall(readable ? 'feature-views' : null, async (signal) => ({ feature_views: await features.featureViews({ signal }) }));
  const services = useCall(readable ? 'feature-services' : null, async (signal) => ({ feature_services: await features.featureServices({ signal }) }));
  const freshness = useCall(readable ? 'freshness' : null, (signal) => features.freshness({ signal }), { refreshMs: 30000 });
  if (!readable) return <div className="page"><h1>Features</h1><p className="notice">Your token cannot read the feature registry (it needs features:read).</p></div>;
  const fresh = new Map((freshness.data?.views ?? []).map((v) => [v.view, v]));
  return (
    <div className="page">
      <h1>Features</h1>
      <Section title="Feature views">
        {views.error && <ErrorBox error={views.error} />}
        {!views.data && !views.error && <Loading what="feature views" />}
        {views.data && (
          <table className="table" aria-label="Feature views">
            <thead>
              <tr>
                <th aria-label="freshness" />
                <th>view</th>
                <th>version</th>
                <th>entities</th>
                <th className="num">features</th>
                <th>source</th>
                <th>freshness</th>
                <th>owner</th>
              </tr>
            </thead>
            <tbody>
              {views.data.feature_views.map((v) => {
                const f = fresh.get(v.name);
                return (
                  <tr key={v.name}>
                    <td>{v.online ? <StatusDot status={freshnessRag(f?.status)} label={f?.status ?? 'not measured'} /> : null}</td>
                    <td>
                      <Link to={`/features/${seg(v.name)}`}>{v.name}</Link>
                      {v.description && <div className="meta">{v.description}</div>}
                    </td>
                    <td>
                      v{v.version}
                      {v.live_versions && v.live_versions.length > 1 && <div className="meta">also served: {v.live_versions.filter((x) => x !== v.version).map((x) => `v${x}`).join(', ')}</div>}
                    </td>
                    <td>{v.entities.join(', ')}</td>
                    <td className="num">{v.features.length}</td>
                    <td className={v.source_status && v.source_status !== 'READY' ? 'refused' : undefined} title={v.source_message ?? undefined}>
                      {v.source_status ?? '–'}
                    </td>
                    <td>{!v.online ? 'offline only' : f ? (f.age_seconds === null ? `no values yet (SLA ${days(f.sla_seconds)})` : `${days(f.age_seconds)} old (SLA ${days(f.sla_seconds)})`) : '–'}</td>
                    <td>{v.owner ?? '–'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Section>
      <div className="grid-2">
        <Section title="Entities">
          {entities.error && <ErrorBox error={entities.error} />}
          {entities.data && (
            <table className="table compact" aria-label="Entities">
              <thead>
                <tr>
                  <th>entity</th>
                  <th>join key</th>
                  <th>type</th>
                </tr>
              </thead>
              <tbody>
                {entities.data.entities.map((e) => (
                  <tr key={e.name}>
                    <td>
                      {e.name}
                      {e.description && <div className="meta">{e.description}</div>}
                    </td>
                    <td>
                      <code>{e.join_key}</code>
                    </td>
                    <td>{e.value_type}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
        <Section title="Feature services">
          {services.error && <ErrorBox error={services.error} />}
          {services.data && (
            <table className="table compact" aria-label="Feature services">
              <thead>
                <tr>
                  <th>service</th>
                  <th>views</th>
                  <th className="num">features</th>
                  <th>owner</th>
                </tr>
              </thead>
              <tbody>
                {services.data.feature_services.map((s) => (
                  <tr key={s.name}>
                    <td>{s.name}</td>
                    <td>{[...new Set(s.features.map((f) => f.split(':')[0]))].join(', ')}</td>
                    <td className="num">{s.features.length}</td>
                    <td>{s.owner ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      </div>
    </div>
  );
}

/** One view: its features with their statistics and histograms (latest materialization), and its materializations. */
export function FeatureViewPage({ name }: { name: string }) {
  const view = useCall(`feature-view:${name}`, (signal) => features.featureView(name, { signal }));
  const runs = useCall(`materializations:${name}`, async (signal) => ({ materializations: await features.materializations({ view: name, limit: 10 }, { signal }) }));
  // Statistics exist once a materialization finished; asking before would only get a 404.
  const materialized = runs.data?.materializations.some((m) => m.status === 'SUCCEEDED') ?? false;
  const stats = useCall(materialized ? `feature-view-stats:${name}` : null, (signal) => features.viewStats(name, { signal }));
  const current = view.data?.versions.find((v) => v.version === view.data?.version);
  return (
    <div className="page">
      <p className="crumbs">
        <Link to="/features">Features</Link> /
      </p>
      <h1>{name}</h1>
      {view.error && <ErrorBox error={view.error} what="The view could not be read" />}
      {current && (
        <div className="facts">
          {current.spec.description && <span>{current.spec.description}</span>}
          <span>version v{current.version}</span>
          <span>entities {current.spec.entities.join(', ')}</span>
          <span>ttl {days(current.spec.ttl_seconds)}</span>
          <span>{current.spec.online ? 'online and offline' : 'offline only'}</span>
          <span className={current.source_status && current.source_status !== 'READY' ? 'refused' : undefined}>source {current.source_status ?? '–'}</span>
        </div>
      )}
      <Section title="Feature statistics (latest materialization)">
        {stats.error && <ErrorBox error={stats.error} what="No statistics" />}
        {runs.data && !materialized && <p className="meta">No statistics yet: they are computed when a materialization of the view finishes.</p>}
        {materialized && !stats.data && !stats.error && <Loading what="statistics" />}
        {stats.data && (
          <>
            <p className="meta">
              v{stats.data.version}, computed {ago(stats.data.computed_at)} over the latest value per entity in the window.
            </p>
            <div className="histograms">
              {stats.data.features.map((f, i) => (
                <FeatureHistogram key={f.feature} stat={f} color={COLORS[i % COLORS.length]} />
              ))}
            </div>
          </>
        )}
      </Section>
      <div className="grid-2">
        <Section title="Versions">
          {view.data && (
            <table className="table compact" aria-label="View versions">
              <thead>
                <tr>
                  <th>version</th>
                  <th>features</th>
                  <th>created</th>
                  <th>state</th>
                </tr>
              </thead>
              <tbody>
                {[...view.data.versions].reverse().map((v) => (
                  <tr key={v.version}>
                    <td>v{v.version}</td>
                    <td>{v.spec.features.map((f) => `${f.name} (${f.type})`).join(', ')}</td>
                    <td>{when(v.created_at)}</td>
                    <td>{v.retired_at ? `retired ${ago(v.retired_at)}${v.retired_reason ? `: ${v.retired_reason}` : ''}` : v.superseded_at ? `superseded ${ago(v.superseded_at)}, still served` : 'current'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
        <Section title="Materializations">
          {runs.error && <ErrorBox error={runs.error} />}
          {runs.data && runs.data.materializations.length === 0 && <p className="meta">Not materialized yet.</p>}
          {runs.data && runs.data.materializations.length > 0 && (
            <table className="table compact" aria-label="Materializations">
              <thead>
                <tr>
                  <th>id</th>
                  <th>version</th>
                  <th>status</th>
                  <th className="num">chunks</th>
                  <th className="num">rows</th>
                  <th>trigger</th>
                  <th>started</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.materializations.map((m) => (
                  <tr key={m.id}>
                    <td title={`${when(m.start)} – ${when(m.end)}`}>{m.id}</td>
                    <td>v{m.version}</td>
                    <td className={m.status === 'FAILED' ? 'refused' : undefined} title={m.error ?? undefined}>
                      {m.status.toLowerCase()}
                    </td>
                    <td className="num">
                      {m.chunks_done}/{m.chunks_total}
                    </td>
                    <td className="num">{num(m.rows_written)}</td>
                    <td>{m.trigger}</td>
                    <td>{ago(m.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      </div>
    </div>
  );
}

function FeatureHistogram({ stat, color }: { stat: FeatureViewStats['features'][number]; color: string }) {
  const config = useMemo<ChartConfiguration<'bar'> | null>(() => {
    const h = stat.histogram;
    if (!h || h.counts.length === 0) return null;
    const labels = 'values' in h ? h.values : h.counts.map((_, i) => `${num(h.edges[i], 2)}–${num(h.edges[i + 1], 2)}`);
    return {
      type: 'bar',
      data: { labels, datasets: [{ label: stat.feature, data: h.counts, backgroundColor: color, barPercentage: 1, categoryPercentage: 0.95 }] },
      options: { plugins: { legend: { display: false } }, scales: { x: { ticks: { maxRotation: 0, autoSkip: true, font: { size: 10 } } }, y: { beginAtZero: true, ticks: { precision: 0 } } } },
    };
  }, [stat, color]);
  return (
    <div className="histogram">
      <h3>
        {stat.feature} <span className="meta">{stat.type}</span>
      </h3>
      <div className="meta">
        {num(stat.count)} values, {pct(stat.null_rate)} null
        {stat.mean !== null && `, mean ${num(stat.mean, 3)}, p50 ${num(stat.quantiles?.['p50'], 3)}, range ${num(stat.min, 3)} to ${num(stat.max, 3)}`}
      </div>
      {config ? <ChartCanvas config={config} label={`Distribution of ${stat.feature}`} size="small" /> : <p className="meta">No histogram.</p>}
    </div>
  );
}
