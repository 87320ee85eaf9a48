import { Inject, Injectable } from '@nestjs/common';
import type { PredictEntitiesReply } from '@mlp/contracts';
import { argmaxOf } from '@mlp/model-runtime';
import { PlatformError } from '@mlp/runtime';
import { PLATFORM_CONFIG, type PlatformConfig } from '@mlp/service-kit';
import { InferErrorCode } from '../errors/inference-error';
import { InferenceService } from '../inference/inference.service';
import { BY_POLICY, VersionResolver, type Target } from '../inference/version-resolver';
import type { StickyKeys } from '../traffic/traffic-split';
import { EntityFeatures, type EntityKey } from './entity-features';

/** Entities of one arm: predicted together, in one call of the inference path. */
interface ArmGroup {
  sticky: StickyKeys;
  indexes: number[];
}

/**
 * Predictions by entity key (HTTP and transport) for product services that only know a user id:
 * reads the entities, routes each by its own sticky key (its join keys), and predicts each arm's
 * entities with their online features through the inference path.
 */
@Injectable()
export class EntityPredictions {
  constructor(
    private readonly inference: InferenceService,
    private readonly resolver: VersionResolver,
    private readonly features: EntityFeatures,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  async predict(name: string, entities: Record<string, Array<string | number>>, version: number | undefined, requestId: string, header?: string): Promise<PredictEntitiesReply> {
    const rows = this.inference.read(name, () => this.entityKeys(entities));
    const target: Target = version ? { version } : BY_POLICY;
    const groups = version ? [{ sticky: { header, requestId }, indexes: rows.map((_, i) => i) }] : this.byArm(name, rows, header, requestId);
    const predictions: PredictEntitiesReply['predictions'] = new Array(rows.length);
    let degraded = 0;
    await Promise.all(
      groups.map(async (g) => {
        const p = await this.inference.predict({ model: name, target, sticky: g.sticky, requestId, inputs: this.features.inputsFor(g.indexes.map((i) => rows[i])) });
        const width = p.outputs.length / p.rows.rows;
        const classes = p.model.artifact.classes;
        g.indexes.forEach((i, j) => {
          if (p.rows.filled[j] > 0) degraded++;
          // Multiclass: the most probable class, its probability as the score, and every class's.
          const best = classes ? argmaxOf(p.outputs, j, width) : 0;
          predictions[i] = {
            entity: p.rows.entities[j],
            score: p.outputs[j * width + best],
            ...(classes ? { label: classes[best], probabilities: Object.fromEntries(classes.map((c, k) => [c, p.outputs[j * width + k]])) } : {}),
            model: p.model.name,
            version: p.model.version,
            arm: p.arm,
            featureStatuses: p.rows.statuses[j],
            features: p.rows.values[j],
          };
        });
      }),
    );
    return { model: name, predictions, degraded };
  }

  /** One entity per position of the join keys' value lists. */
  private entityKeys(entities: Record<string, Array<string | number>>): EntityKey[] {
    const keys = Object.keys(entities);
    if (keys.length === 0) throw PlatformError.badRequest('entities needs at least one join key', [], 'INVALID_ENTITIES');
    const n = entities[keys[0]].length;
    if (keys.some((k) => entities[k].length !== n)) throw PlatformError.badRequest('every join key needs one value per entity', [], 'INVALID_ENTITIES');
    const maxRows = this.config.env['MAX_INFER_ROWS'] as number;
    if (n > maxRows) throw new PlatformError(413, InferErrorCode.BATCH_TOO_LARGE, `${n} entities exceed the limit of ${maxRows}`);
    return Array.from({ length: n }, (_, i) => Object.fromEntries(keys.map((k) => [k, entities[k][i]])));
  }

  /**
   * Entities grouped by the arm the traffic policy gives their own sticky key. A group's sticky keys
   * are its first entity's: every entity of the group gets the same arm, so they route it alike.
   */
  private byArm(name: string, rows: EntityKey[], header: string | undefined, requestId: string): ArmGroup[] {
    const groups = new Map<string, ArmGroup>();
    rows.forEach((row, i) => {
      const sticky = { entity: Object.entries(row).map(([k, v]) => `${k}=${v}`).join('&'), header, requestId };
      const arm = this.resolver.decide(name, sticky).serve;
      const group = groups.get(arm) ?? { sticky, indexes: [] };
      group.indexes.push(i);
      groups.set(arm, group);
    });
    return [...groups.values()];
  }
}
