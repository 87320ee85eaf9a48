import type { ModelArtifact } from '@mlp/contracts';
import { applyToRows, type RawRecord } from '@mlp/model-runtime';
import { predictBaseline } from './baseline-model';
import { loadLayersModel, predictLayers } from './layers-model';

/**
 * Scores records with a stored artifact exactly as serving would: the artifact's own preprocessing,
 * then its model. Used to re-score the champion on the candidate's held-out window.
 */
export async function predictWithArtifact(artifact: Pick<ModelArtifact, 'preprocessing' | 'model'>, records: readonly RawRecord[]): Promise<Float32Array> {
  const width = artifact.preprocessing.outputWidth;
  const matrix = applyToRows(artifact.preprocessing, records);
  if (artifact.model.kind === 'baseline') return predictBaseline(artifact.model, matrix, width);
  const model = await loadLayersModel(artifact.model);
  try {
    return predictLayers(model, matrix, width);
  } finally {
    model.dispose();
  }
}
