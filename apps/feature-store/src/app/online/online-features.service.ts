import { Inject, Injectable } from '@nestjs/common';
import type { OnlineFeaturesRequest, OnlineFeaturesResponse } from '@mlp/contracts';
import { FeatureRegistry } from '../registry/feature-registry.service';
import { assembleOnlineResponse, entityKeysOf, keySignature } from './online-response';
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
    // Views addressed by the same join keys are read together in one round trip.
    const byKeys = new Map<string, string[]>();
    for (const v of resolved.views) {
      const sig = keySignature(v.joinKeys);
      byKeys.set(sig, [...(byKeys.get(sig) ?? []), v.viewKey]);
    }
    await Promise.all(
      [...byKeys].map(async ([sig, viewKeys]) => {
        const got = await this.store.read(viewKeys, keys.get(sig)!);
        for (const [k, v] of got) stored.set(k, v);
      }),
    );
    return assembleOnlineResponse(resolved, req.entities, stored, new Date());
  }
}
