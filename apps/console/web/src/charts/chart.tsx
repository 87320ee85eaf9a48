import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
  type Plugin,
} from 'chart.js';
import { useEffect, useRef } from 'react';

/** A dashed reference line (a threshold, the diagonal of perfect calibration): not data, so not a dataset. */
export interface ReferenceLine {
  label: string;
  /** A horizontal line at this value of the y axis... */
  y?: number;
  /** ...or a segment between two points in data coordinates. */
  from?: [number, number];
  to?: [number, number];
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface PluginOptionsByType<TType extends ChartType> {
    referenceLines?: { lines: ReferenceLine[] };
  }
}

const referenceLines: Plugin = {
  id: 'referenceLines',
  afterDatasetsDraw(chart, _args, options: { lines?: ReferenceLine[] }) {
    const { ctx, chartArea, scales } = chart;
    if (!options?.lines?.length || !scales['x'] || !scales['y']) return;
    ctx.save();
    ctx.strokeStyle = '#6b7280';
    ctx.fillStyle = '#4b5563';
    ctx.lineWidth = 1;
    ctx.setLineDash([6, 4]);
    ctx.font = '11px system-ui, sans-serif';
    for (const line of options.lines) {
      const [x1, y1, x2, y2] =
        line.y !== undefined
          ? [chartArea.left, scales['y'].getPixelForValue(line.y), chartArea.right, scales['y'].getPixelForValue(line.y)]
          : [scales['x'].getPixelForValue(line.from?.[0] ?? 0), scales['y'].getPixelForValue(line.from?.[1] ?? 0), scales['x'].getPixelForValue(line.to?.[0] ?? 1), scales['y'].getPixelForValue(line.to?.[1] ?? 1)];
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x2, y2);
      ctx.stroke();
      ctx.fillText(line.label, Math.min(x2, chartArea.right) - ctx.measureText(line.label).width - 4, Math.max(y2, chartArea.top) - 4 + (line.y === undefined ? 14 : 0));
    }
    ctx.restore();
  },
};

// Only the pieces the pages draw: line and bar charts on linear and category axes, reference lines.
Chart.register(LineController, LineElement, PointElement, BarController, BarElement, ScatterController, LinearScale, CategoryScale, Legend, Tooltip, Filler, referenceLines);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.color = '#3b4252';

/** A palette that stays apart for the few series a chart holds (and for colour-blind readers). */
export const COLORS = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#dc2626', '#0891b2', '#4b5563'];

/**
 * One Chart.js chart; the label is its text alternative. Once drawn, the canvas says what it holds:
 * `data-elements` (points and bars Chart.js laid out) and `data-area` (the plot area in CSS pixels,
 * left top right bottom), so a browser test can tell a chart drawn with data from an empty frame.
 */
export function ChartCanvas({ config, label, size = 'medium' }: { config: ChartConfiguration; label: string; size?: 'small' | 'medium' | 'large' }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const canvas = ref.current;
    const chart = new Chart(canvas, {
      ...config,
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        ...config.options,
        plugins: { legend: { labels: { usePointStyle: true, pointStyle: 'line' } }, ...config.options?.plugins },
      },
      plugins: [
        {
          id: 'drawn',
          afterRender: (c) => {
            canvas.dataset.elements = String(c.getSortedVisibleDatasetMetas().reduce((n, m) => n + m.data.length, 0));
            const a = c.chartArea;
            canvas.dataset.area = [a.left, a.top, a.right, a.bottom].map(Math.round).join(' ');
          },
        },
      ],
    });
    return () => chart.destroy();
  }, [config]);
  const points = config.data.datasets.reduce((n, d) => n + (d.data?.length ?? 0), 0);
  return (
    <div className={`chart chart-${size}`}>
      <canvas ref={ref} role="img" aria-label={label} data-points={points} />
    </div>
  );
}
