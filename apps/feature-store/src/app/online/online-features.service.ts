import { Inject, Injectable } from '@nestjs/common';
import type { OnlineFeaturesRequest, OnlineFeaturesResponse } from '@mlp/contracts';
import { FeatureRegistry } from '../registry/feature-registry.service';
import { assembleOnlineResponse, entityKeysOf } from './online-response';
import { ONLINE_STORE, type OnlineStore } from './online-store';

/** Online reads: resolve references (cached registry), one store round trip, statuses by ttl. */
@Injectable()
export class OnlineFeaturesService {
  constructor(
    private readonly registry: FeatureRegistry,
    @Inject(ONLINE_STORE) private readonly store: OnlineStore,
  ) {}

  async get(req: OnlineFeaturesRequest): Promise<OnlineFeaturesResponse> {
    const resolved = await this.registry.resolve(req);
    const keys = entityKeysOf(resolved, req.entities);
    const stored = new Map<string, Awaited<ReturnType<OnlineStore['read']>> extends Map<string, infer V> ? V : never>();
    // Views sharing a join key are read together in one round trip.
    const byJoinKey = new Map<string, string[]>();
    for (const v of resolved.views) byJoinKey.set(v.joinKey, [...(byJoinKey.get(v.joinKey) ?? []), v.viewKey]);
    await Promise.all(
      [...byJoinKey].map(async ([joinKey, viewKeys]) => {
        const got = await this.store.read(viewKeys, keys.get(joinKey)!);
        for (const [k, v] of got) stored.set(k, v);
      }),
    );
    return assembleOnlineResponse(resolved, req.entities, stored, new Date());
  }
}
