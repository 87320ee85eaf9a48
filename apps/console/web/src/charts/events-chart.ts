import type { EventStats } from '@mlp/client';
import type { ChartConfiguration } from 'chart.js';
import { COLORS } from './chart';

/** Accepted, rejected and duplicate events per bucket, stacked: the warehouse's intake at a glance. */
export function eventsChart(stats: EventStats): ChartConfiguration<'bar'> {
  const label = (iso: string) => {
    const d = new Date(iso);
    return stats.bucket === 'day' ? d.toISOString().slice(5, 10) : `${d.toISOString().slice(5, 10)} ${d.toISOString().slice(11, 13)}h`;
  };
  const series = [
    { key: 'accepted' as const, label: 'accepted', color: COLORS[2] },
    { key: 'rejected' as const, label: 'rejected', color: COLORS[4] },
    { key: 'duplicates' as const, label: 'duplicates', color: COLORS[1] },
  ];
  return {
    type: 'bar',
    data: {
      labels: stats.buckets.map((b) => label(b.start)),
      datasets: series.map((s) => ({ label: s.label, data: stats.buckets.map((b) => b[s.key]), backgroundColor: s.color, stack: 'events' })),
    },
    options: {
      scales: { x: { stacked: true, ticks: { maxRotation: 0, autoSkipPadding: 12 } }, y: { stacked: true, beginAtZero: true, title: { display: true, text: `events per ${stats.bucket} (UTC)` } } },
      plugins: { legend: { labels: { usePointStyle: true, pointStyle: 'rect' } } },
    },
  };
}
