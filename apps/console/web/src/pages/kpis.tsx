import type { ChartConfiguration } from 'chart.js';
import { useMemo, useState } from 'react';
import type { KpiSeries } from '@mlp/client';
import { seg } from '../api';
import { ChartCanvas, COLORS } from '../charts/chart';
import { ErrorBox, Loading, Section } from '../components';
import { num } from '../format';
import { Link } from '../router';
import { warehouse } from '../platform';
import { useCall } from '../use-api';

/** The KPIs the projects declared (dwh-ingest `GET /v1/kpis`). */
export function KpisPage() {
  const kpis = useCall('kpis', async (signal) => ({ kpis: await warehouse.kpis({ signal }) }));
  return (
    <div className="page">
      <h1>KPIs</h1>
      <Section title="Declared KPIs">
        {kpis.error && <ErrorBox error={kpis.error} />}
        {!kpis.data && !kpis.error && <Loading what="KPIs" />}
        {kpis.data && kpis.data.kpis.length === 0 && <p className="notice">No project declares a KPI yet (kpis/&lt;name&gt;.yaml in a project folder).</p>}
        {kpis.data && kpis.data.kpis.length > 0 && (
          <table className="table" aria-label="KPIs">
            <thead>
              <tr>
                <th>KPI</th>
                <th>project</th>
                <th>unit</th>
                <th>description</th>
              </tr>
            </thead>
            <tbody>
              {kpis.data.kpis.map((k) => (
                <tr key={k.name}>
                  <td>
                    <Link to={`/kpis/${seg(k.name)}`}>{k.name}</Link>
                  </td>
                  <td>{k.project}</td>
                  <td>{k.unit ?? ''}</td>
                  <td>{k.description ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** One KPI over a date range: a line per dimension value, and the points as a table. */
export function KpiPage({ name }: { name: string }) {
  const [from, setFrom] = useState(() => isoDay(Date.now() - 90 * 86_400_000));
  const [to, setTo] = useState(() => isoDay(Date.now()));
  const series = useCall(`kpi:${name}:${from}:${to}`, (signal) => warehouse.kpi(name, { from, to }, { signal }));
  const chart = useMemo(() => (series.data && series.data.points.length > 0 ? kpiChart(series.data) : null), [series.data]);
  return (
    <div className="page">
      <p className="crumbs">
        <Link to="/kpis">KPIs</Link> /
      </p>
      <h1>{name}</h1>
      <div className="facts">
        <label>
          from <input type="date" value={from} max={to} onChange={(e) => e.target.value && setFrom(e.target.value)} />
        </label>
        <label>
          to <input type="date" value={to} min={from} onChange={(e) => e.target.value && setTo(e.target.value)} />
        </label>
        {series.data?.unit && <span>unit {series.data.unit}</span>}
      </div>
      <Section title="Over time">
        {series.error && <ErrorBox error={series.error} />}
        {!series.data && !series.error && <Loading what={name} />}
        {series.data && series.data.points.length === 0 && <p className="notice">No points between {from} and {to}.</p>}
        {chart && <ChartCanvas config={chart} label={`${name} per day`} size="large" />}
        {series.data && series.data.points.length > 0 && (
          <table className="table compact" aria-label="KPI points">
            <thead>
              <tr>
                <th>date</th>
                {series.data.points.some((p) => p.dimension !== undefined) && <th>dimension</th>}
                <th className="num">value</th>
              </tr>
            </thead>
            <tbody>
              {[...series.data.points].reverse().slice(0, 60).map((p) => (
                <tr key={`${p.date}-${p.dimension ?? ''}`}>
                  <td>{p.date}</td>
                  {p.dimension !== undefined && <td>{p.dimension ?? '(none)'}</td>}
                  <td className="num">{num(p.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}

/** A line per dimension value (one line without a dimension) over the dates of the range. */
export function kpiChart(series: KpiSeries): ChartConfiguration<'line'> {
  const dates = [...new Set(series.points.map((p) => p.date))].sort();
  const groups = new Map<string, Map<string, number | null>>();
  for (const p of series.points) {
    const key = p.dimension === undefined ? series.name : (p.dimension ?? '(none)');
    if (!groups.has(key)) groups.set(key, new Map());
    groups.get(key)?.set(p.date, p.value);
  }
  return {
    type: 'line',
    data: {
      labels: dates,
      datasets: [...groups.entries()].map(([label, values], i) => ({
        label,
        data: dates.map((d) => values.get(d) ?? null),
        borderColor: COLORS[i % COLORS.length],
        backgroundColor: COLORS[i % COLORS.length],
        spanGaps: true,
        pointRadius: dates.length > 60 ? 0 : 2,
      })),
    },
    options: {
      scales: {
        x: { type: 'category', title: { display: true, text: 'date' } },
        y: { type: 'linear', title: { display: true, text: series.unit ?? 'value' } },
      },
    },
  };
}
