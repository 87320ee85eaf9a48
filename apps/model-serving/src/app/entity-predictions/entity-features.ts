import { Injectable } from '@nestjs/common';
import { GetOnlineFeaturesMessage, ServiceName, type FeatureStatus, type ModelArtifact } from '@mlp/contracts';
import { isMissing, type RawColumn } from '@mlp/model-runtime';
import { PlatformError } from '@mlp/runtime';
import { PeerClients } from '@mlp/service-kit';
import type { ModelInputs } from '../inference/inference.service';
import { modelRows, type FeatureValue, type ModelRows } from '../inference/model-rows';
import { onlineColumnName, onlineFeatureSelection } from './online-feature-request';

/** An entity's join keys and their values, e.g. `{ user_id: 'u42' }`. */
export type EntityKey = Record<string, string | number>;

/** Model rows of entities, with what the feature store said about each value. */
export interface EntityRows extends ModelRows {
  entities: readonly EntityKey[];
  /** Per entity, each feature's value as served (also when it is missing for the model). */
  values: Array<Record<string, FeatureValue>>;
  statuses: Array<Record<string, FeatureStatus>>;
  /** Per entity, how many features were filled as missing. */
  filled: Uint32Array;
}

/**
 * The inputs of entity-keyed requests and batch scoring: the model's features, fetched online from
 * the feature store for the entities given.
 */
@Injectable()
export class EntityFeatures {
  constructor(private readonly peers: PeerClients) {}

  inputsFor(entities: readonly EntityKey[]): ModelInputs<EntityRows> {
    return { rowsFor: (artifact) => this.rowsFor(artifact, entities) };
  }

  /** Fetches a model's features online and makes its model rows (`entityRows`). */
  async rowsFor(artifact: ModelArtifact, entities: readonly EntityKey[]): Promise<EntityRows> {
    const transforms = artifact.preprocessing.features;
    const keys = Object.keys(entities[0] ?? {});
    const reply = await this.peers.get(ServiceName.FEATURE_STORE).send(GetOnlineFeaturesMessage, {
      // Exactly the view versions the model was trained on, where its artifact records them.
      ...onlineFeatureSelection(artifact),
      entities: Object.fromEntries(keys.map((k) => [k, entities.map((e) => e[k])])),
      full_feature_names: true,
    });
    const names = reply.metadata.feature_names;
    const offset = reply.results.length - transforms.length;
    const column = (ref: string, i: number) => {
      const [view, feature] = ref.split(':');
      const candidates = [onlineColumnName(artifact, ref), ref, `${view.replace(/@v\d+$/, '')}__${feature}`, `${view}__${feature}`, feature];
      const at = names.findIndex((n) => candidates.includes(n));
      return reply.results[at >= 0 ? at : offset + i];
    };
    return entityRows(artifact, entities, transforms.map((t, i) => column(t.name, i)));
  }
}

/** One feature's values for the entities, and what the feature store said about each. */
export interface FeatureColumn {
  values: readonly FeatureValue[];
  statuses: readonly FeatureStatus[];
}

/**
 * Model rows of entities from the feature store's columns, one per input of the model, wherever
 * they were read (online, or point-in-time). A value marked NOT_FOUND or OUTSIDE_MAX_AGE, or one
 * the preprocessing cannot use, is missing: filled as in training, and its status says so (PRESENT
 * becomes NOT_FOUND for an unusable value).
 */
export function entityRows(artifact: ModelArtifact, entities: readonly EntityKey[], cols: ReadonlyArray<FeatureColumn | undefined>): EntityRows {
  const transforms = artifact.preprocessing.features;
  const n = entities.length;
  if (cols.length !== transforms.length || cols.some((c) => !c || c.values.length !== n || c.statuses.length !== n)) {
    throw new PlatformError(502, 'BAD_PEER_REPLY', `feature-store answered ${cols.length} features for ${n} entities in an unexpected shape`);
  }
  const used: RawColumn[] = [];
  const values: Array<Record<string, FeatureValue>> = Array.from({ length: n }, () => ({}));
  const statuses: Array<Record<string, FeatureStatus>> = Array.from({ length: n }, () => ({}));
  const filled = new Uint32Array(n);
  transforms.forEach((t, i) => {
    const col = cols[i] as FeatureColumn;
    const column: FeatureValue[] = new Array(n);
    for (let r = 0; r < n; r++) {
      const value = col.values[r];
      let status = col.statuses[r];
      if (status === 'PRESENT' && isMissing(t, value)) status = 'NOT_FOUND';
      values[r][t.name] = value;
      statuses[r][t.name] = status;
      column[r] = status === 'PRESENT' ? value : null;
      if (status !== 'PRESENT') filled[r]++;
    }
    used.push(column);
  });
  return { ...modelRows(artifact, used, n), entities, values, statuses, filled };
}
