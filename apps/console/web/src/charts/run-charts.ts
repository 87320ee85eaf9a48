import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { TrainingRun } from '@mlp/contracts';
import { COLORS } from './chart';

type Curve = TrainingRun['curves'][number];
type Bin = NonNullable<TrainingRun['calibration']>[number];

export interface LabelledRun {
  label: string;
  run: Pick<TrainingRun, 'curves' | 'calibration'>;
}

const dashed = [6, 4];

/**
 * Loss per epoch (training solid, validation dashed) on the left axis and the validation metric on
 * the right, for one run or overlaid for several.
 */
export function curvesChart(runs: LabelledRun[], metric: string): ChartConfiguration<'line'> {
  const datasets: ChartDataset<'line', Array<{ x: number; y: number }>>[] = [];
  runs.forEach(({ label, run }, i) => {
    const color = COLORS[i % COLORS.length];
    const prefix = runs.length > 1 ? `${label} ` : '';
    const series = (pick: (c: Curve) => number | undefined) => run.curves.filter((c) => pick(c) !== undefined).map((c) => ({ x: c.epoch, y: pick(c) as number }));
    datasets.push({ label: `${prefix}training loss`, data: series((c) => c.loss), borderColor: color, backgroundColor: color, yAxisID: 'loss', pointRadius: 1.5, tension: 0.2 });
    const val = series((c) => c.valLoss);
    if (val.length) datasets.push({ label: `${prefix}validation loss`, data: val, borderColor: color, backgroundColor: color, borderDash: dashed, yAxisID: 'loss', pointRadius: 1.5, tension: 0.2 });
    const m = series((c) => c.valMetric);
    if (m.length) datasets.push({ label: `${prefix}validation ${metric}`, data: m, borderColor: color, backgroundColor: color, borderDash: [2, 3], borderWidth: 1.5, yAxisID: 'metric', pointRadius: 0, tension: 0.2 });
  });
  return {
    type: 'line',
    data: { datasets },
    options: {
      parsing: false,
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'epoch' }, ticks: { precision: 0 } },
        loss: { type: 'linear', position: 'left', title: { display: true, text: 'loss' } },
        metric: { type: 'linear', position: 'right', title: { display: true, text: `validation ${metric}` }, grid: { drawOnChartArea: false } },
      },
    },
  };
}

/** Reliability diagram: observed rate against mean predicted probability per bin, and the diagonal (`single` names a lone series). */
export function calibrationChart(runs: LabelledRun[], single = 'held-out rows'): ChartConfiguration<'line'> {
  const datasets: ChartDataset<'line', Array<{ x: number; y: number }>>[] = [];
  runs.forEach(({ label, run }, i) => {
    const bins = (run.calibration ?? []).filter((b: Bin) => b.count > 0);
    const color = COLORS[i % COLORS.length];
    datasets.push({
      label: runs.length > 1 ? label : single,
      data: bins.map((b) => ({ x: b.meanPredicted, y: b.observedRate })),
      borderColor: color,
      backgroundColor: color,
      pointRadius: bins.map((b) => Math.min(8, 2 + Math.sqrt(b.count) / 2)),
    });
  });
  return {
    type: 'line',
    data: { datasets },
    options: {
      parsing: false,
      plugins: { referenceLines: { lines: [{ label: 'perfectly calibrated', from: [0, 0], to: [1, 1] }] } },
      scales: {
        x: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'mean predicted probability' } },
        y: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'observed rate' } },
      },
    },
  };
}
