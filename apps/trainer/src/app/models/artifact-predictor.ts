import type { ModelArtifact } from '@mlp/contracts';
import { applyToRows, loadPredictor, type RawRecord } from '@mlp/model-runtime';

/**
 * Scores records with a stored artifact exactly as serving does: the artifact's own preprocessing,
 * then its model loaded by its kind. Used to re-score the champion on the candidate's held-out window.
 */
export async function predictWithArtifact(artifact: Pick<ModelArtifact, 'preprocessing' | 'model'>, records: readonly RawRecord[]): Promise<Float32Array> {
  const predictor = await loadPredictor(artifact);
  try {
    return predictor.predict(applyToRows(artifact.preprocessing, records), records.length);
  } finally {
    predictor.dispose();
  }
}
