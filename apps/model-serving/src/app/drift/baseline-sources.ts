import type { BaselineHistogram } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { baselineBins } from './psi-drift';

/** Where a feature's baseline came from (shown per feature by `GET .../drift`). */
export type BaselineSource = 'explicit' | 'training' | 'feature_store' | 'preprocessing';

/** The baseline a model version is monitored against, and the source of each feature's histogram. */
export interface ComposedBaseline {
  histograms: BaselineHistogram[];
  sources: ReadonlyMap<string, BaselineSource>;
}

/** Baselines are held per served model version. */
export const versionKey = (model: string, version: number): string => `${model}@${version}`;

/**
 * The baseline of one model version from what is known of it. An explicit baseline (stored through
 * the API) replaces all others. Otherwise, per feature, the first that has it of: the training-split
 * histogram in the artifact (what the model learned from, not the data's latest), the feature
 * store's materialization statistics, the one derived from the artifact's preprocessing.
 */
export function composeBaseline(known: {
  explicit?: readonly BaselineHistogram[];
  training?: readonly BaselineHistogram[];
  featureStore?: readonly BaselineHistogram[];
  preprocessing: readonly BaselineHistogram[];
}): ComposedBaseline {
  const sources = new Map<string, BaselineSource>();
  if (known.explicit) {
    for (const b of known.explicit) sources.set(b.feature, 'explicit');
    return { histograms: [...known.explicit], sources };
  }
  const byFeature = new Map<string, BaselineHistogram>();
  // Lowest priority first: a later layer overwrites an earlier one's feature.
  const layers: Array<[BaselineSource, readonly BaselineHistogram[]]> = [
    ['preprocessing', known.preprocessing],
    ['feature_store', known.featureStore ?? []],
    ['training', known.training ?? []],
  ];
  for (const [source, list] of layers) {
    for (const b of list) {
      byFeature.set(b.feature, b);
      sources.set(b.feature, source);
    }
  }
  return { histograms: [...byFeature.values()], sources };
}

/** The source a drift report names for the whole version: the strongest any feature has. */
export function overallSource(sources: ReadonlyMap<string, BaselineSource>): BaselineSource {
  const present = new Set(sources.values());
  for (const source of ['explicit', 'training', 'feature_store'] as const) if (present.has(source)) return source;
  return 'preprocessing';
}

/**
 * An explicit baseline may only name the model's features (400 with an UNKNOWN_FEATURE detail per
 * stranger), and each histogram must be usable (400 INVALID_BASELINE).
 */
export function checkExplicitBaseline(modelFeatures: ReadonlySet<string>, histograms: readonly BaselineHistogram[]): void {
  const unknown = histograms.filter((f) => !modelFeatures.has(f.feature));
  if (unknown.length) throw PlatformError.badRequest('the baseline names features the model does not use', unknown.map((f) => ({ path: f.feature, code: 'UNKNOWN_FEATURE', message: f.feature })));
  try {
    for (const b of histograms) baselineBins(b);
  } catch (err) {
    throw PlatformError.badRequest(String((err as Error).message), [], 'INVALID_BASELINE');
  }
}
