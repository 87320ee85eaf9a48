import type { ChartConfiguration } from 'chart.js';
import { useMemo } from 'react';
import type { DriftHistory } from '@mlp/client';
import { ChartCanvas, COLORS } from '../charts/chart';
import { ErrorBox } from '../components';
import { predictions } from '../platform';
import { useCall } from '../use-api';

/** PSI per input feature per minute over the last hour, all replicas, under the warn and drift thresholds. */
export function DriftOverTime({ model }: { model: string }) {
  const history = useCall(`drift-history:${model}`, (signal) => predictions.driftHistory(model, {}, { signal }), { refreshMs: 30000 });
  const chart = useMemo(() => (history.data && history.data.features.some((f) => f.points.some((p) => p.psi !== undefined)) ? psiOverTime(history.data) : null), [history.data]);
  if (history.error) return <ErrorBox error={history.error} what="No drift history" />;
  if (!history.data) return null;
  return (
    <>
      <h3>PSI over the last hour</h3>
      {chart ? (
        <ChartCanvas config={chart} label="PSI per input feature over time" size="small" />
      ) : (
        <p className="meta">No minute of the last hour has {history.data.minObservations} observations of a feature yet.</p>
      )}
    </>
  );
}

function psiOverTime(h: DriftHistory): ChartConfiguration<'line'> {
  const labels = (h.features[0]?.points ?? []).map((p) => new Date(p.start).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }));
  return {
    type: 'line',
    data: {
      labels,
      datasets: h.features.map((f, i) => {
        const color = COLORS[i % COLORS.length];
        return { label: f.feature, data: f.points.map((p) => p.psi ?? null), borderColor: color, backgroundColor: color, pointRadius: 3, borderWidth: 2, spanGaps: false };
      }),
    },
    options: {
      plugins: { referenceLines: { lines: [{ label: `warn ${h.warnThreshold}`, y: h.warnThreshold }, { label: `drift ${h.driftThreshold}`, y: h.driftThreshold }] } },
      scales: { y: { beginAtZero: true, suggestedMax: h.driftThreshold * 1.15, title: { display: true, text: 'PSI' } } },
    },
  };
}
