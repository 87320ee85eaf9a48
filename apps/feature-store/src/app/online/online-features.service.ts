import { Inject, Injectable } from '@nestjs/common';
import type { OnlineFeaturesRequest, OnlineFeaturesResponse } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { FeatureRegistry, type ResolvedFeatures } from '../registry/feature-registry.service';
import { VersionUsageTracker } from '../registry/version-usage.service';
import { assembleOnlineResponse, entityKeysOf, keySignature, onlineResponseJson } from './online-response';
import { ONLINE_STORE, type OnlineStore, type StoredValue } from './online-store';

type Stored = Map<string, Array<StoredValue | null>>;

/** Online reads: resolve references (cached registry), one store round trip, statuses by ttl. */
@Injectable()
export class OnlineFeaturesService {
  constructor(
    private readonly registry: FeatureRegistry,
    @Inject(ONLINE_STORE) private readonly store: OnlineStore,
    private readonly usage: VersionUsageTracker,
  ) {}

  async get(req: OnlineFeaturesRequest): Promise<OnlineFeaturesResponse> {
    const resolved = await this.registry.resolve(req);
    const stored = await this.read(resolved, req);
    return assembleOnlineResponse(resolved, req.entities, stored, new Date());
  }

  /**
   * The same answer as `get`, as its JSON text (what the HTTP route sends). With the registry
   * cached (every request after the first) the only wait is the store read. A request error found
   * before that read (unknown feature, wrong join key) is thrown synchronously.
   */
  getJson(req: OnlineFeaturesRequest): Promise<string> {
    const resolved = this.registry.resolveCached(req);
    if (!resolved) return this.registry.resolve(req).then((r) => this.readJson(r, req));
    return this.readJson(resolved, req);
  }

  private readJson(resolved: ResolvedFeatures, req: OnlineFeaturesRequest): Promise<string> {
    return this.read(resolved, req).then((stored) => onlineResponseJson(resolved, req.entities, stored, new Date()));
  }

  private read(resolved: ResolvedFeatures, req: OnlineFeaturesRequest): Promise<Stored> {
    // A retired version has no online values any more: answering NOT_FOUND would quietly serve fills.
    if (resolved.retired.length) {
      throw PlatformError.conflict(
        `feature view versions ${resolved.retired.join(', ')} are retired (offline only); restore them to serve them online`,
        resolved.retired.map((v) => ({ code: 'FEATURE_VERSION_RETIRED', message: v })),
        'FEATURE_VERSION_RETIRED',
      );
    }
    const keys = entityKeysOf(resolved, req.entities);
    this.usage.noteRead(resolved);
    // Views addressed by the same join keys are read together in one round trip.
    const byKeys = new Map<string, string[]>();
    for (const v of resolved.views) {
      const sig = keySignature(v.joinKeys);
      const group = byKeys.get(sig);
      if (group) group.push(v.viewKey);
      else byKeys.set(sig, [v.viewKey]);
    }
    if (byKeys.size === 1) {
      const [[sig, viewKeys]] = byKeys;
      return this.store.read(viewKeys, keys.get(sig)!);
    }
    return Promise.all([...byKeys].map(([sig, viewKeys]) => this.store.read(viewKeys, keys.get(sig)!))).then((parts) => {
      const stored: Stored = new Map();
      for (const got of parts) for (const [k, v] of got) stored.set(k, v);
      return stored;
    });
  }
}
