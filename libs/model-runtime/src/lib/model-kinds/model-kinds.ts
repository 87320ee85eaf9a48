import type { Algorithm, ModelArtifact } from '@mlp/contracts';
import { baselineKind } from './baseline';
import type { ModelKind, Predictor } from './model-kind';
import { ruleKind } from './rule';
import { tfjsLayersKind } from './tfjs-layers';
import { treeEnsembleKind } from './tree-ensemble';

/** Every model kind the platform trains and serves. */
export const MODEL_KINDS: readonly ModelKind[] = [baselineKind, tfjsLayersKind, treeEnsembleKind, ruleKind];

/** The kind that trains a spec's algorithm. */
export function kindForAlgorithm(algorithm: Algorithm['kind']): ModelKind {
  const kind = MODEL_KINDS.find((k) => k.algorithms.includes(algorithm));
  if (!kind) throw new Error(`no model kind trains ${algorithm}`);
  return kind;
}

/** The kind that reads an artifact's model. */
export function kindOfArtifact(artifact: Pick<ModelArtifact, 'model'>): ModelKind {
  const kind = MODEL_KINDS.find((k) => k.artifactKind === artifact.model.kind);
  if (!kind) throw new Error(`no model kind reads ${artifact.model.kind} models`);
  return kind;
}

/** An artifact's model as a predictor over its preprocessing's output; throws when unusable. */
export function loadPredictor(artifact: Pick<ModelArtifact, 'model' | 'preprocessing'>): Promise<Predictor> {
  return kindOfArtifact(artifact).load(artifact.model, artifact.preprocessing.outputWidth);
}
