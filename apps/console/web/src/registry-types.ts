// The trainer's registry answers as the pages read them (GET /v1/models..., see apps/trainer/README.md).
// Training runs have a contract (TrainingRun in @mlp/contracts); these answers do not have one yet.
import type { TrainingRun } from '@mlp/contracts';

export type { TrainingRun };

export interface RegistryModel {
  name: string;
  description: string | null;
  tags: Record<string, string>;
  featureService: string;
  task: string;
  latestVersion: number | null;
  aliases: { champion: number | null; challenger: number | null };
  createdAt: string;
  updatedAt: string;
  spec?: { primaryMetric?: string; algorithm?: { kind?: string } };
  specHash?: string;
}

export interface ModelVersion {
  model: string;
  version: number;
  algorithm: string;
  aliases: string[];
  status: string;
  sha256: string;
  metrics: Record<string, Record<string, number>>;
  lineage: { runId?: string; seed?: number; backend?: string; dataStart?: string; dataEnd?: string; datasetRows?: number; featureServiceVersion?: string; codeVersion?: string };
  gate: TrainingRun['gate'];
  runId: string | null;
  createdAt: string;
}

export interface AuditEntry {
  id: number;
  alias: string;
  from: number | null;
  to: number | null;
  actor: string;
  reason: string;
  runId: string | null;
  at: string;
}

/** Metrics where a lower value is better (the gate's direction too). */
export const LOWER_IS_BETTER = new Set(['log_loss', 'rmse', 'mae', 'ece', 'brier']);

/** The metric a model's spec ranks runs by (`auc` when the spec names none); the spec is the trainer's, read as data. */
export function primaryMetricOf(spec: unknown): string {
  const m = (spec as { primaryMetric?: unknown } | null | undefined)?.primaryMetric;
  return typeof m === 'string' ? m : 'auc';
}
