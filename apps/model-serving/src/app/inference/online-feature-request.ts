import type { ModelArtifact } from '@mlp/contracts';

/**
 * What a model asks the feature store for when it is scored by entity (predict-entities, batch
 * scoring). An artifact that records the feature view versions it was trained on
 * (`featureViewVersions`) asks for exactly those, `view@vN:feature` for each input `view:feature`,
 * so an edit of a view after training (a new version) never changes its answers. Older artifacts
 * ask for their feature service, else their features, whatever those views are now.
 */
export function onlineFeatureSelection(artifact: ModelArtifact): { feature_service: string } | { features: string[] } {
  const versions = artifact.featureViewVersions;
  if (versions) return { features: artifact.features.map((ref) => pinnedRef(ref, versions)) };
  return artifact.featureService ? { feature_service: artifact.featureService } : { features: artifact.features };
}

/** `view:feature` -> `view@vN:feature` for the version the model was trained on (unchanged when unknown). */
function pinnedRef(ref: string, versions: Readonly<Record<string, number>>): string {
  const at = ref.indexOf(':');
  const version = versions[ref.slice(0, at)];
  return version === undefined ? ref : `${ref.slice(0, at)}@v${version}${ref.slice(at)}`;
}

/** The column the feature store names an input in its answer (full feature names): `view__vN__feature` when pinned. */
export function onlineColumnName(artifact: ModelArtifact, input: string): string {
  const at = input.indexOf(':');
  const view = input.slice(0, at);
  const version = artifact.featureViewVersions?.[view];
  return `${view}${version === undefined ? '' : `__v${version}`}__${input.slice(at + 1)}`;
}
