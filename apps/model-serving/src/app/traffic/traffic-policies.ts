import { Inject, Injectable } from '@nestjs/common';
import { TrafficPolicy, type TrafficPolicyPatch } from '@mlp/contracts';
import { Database, PLATFORM_CONFIG, type PlatformConfig } from '@mlp/service-kit';
import { DEFAULT_POLICY } from './traffic-split';

/**
 * Each model's traffic policy (canary weight, sticky key, shadow mode, batching), stored in
 * `serving.traffic_policies` and cached here. A model without one gets the default policy with the
 * service's batching settings. Listeners hear every policy set or loaded (batchers follow them).
 */
@Injectable()
export class TrafficPolicies {
  private readonly policies = new Map<string, TrafficPolicy>();
  private readonly listeners: Array<(model: string, policy: TrafficPolicy) => void> = [];

  constructor(
    private readonly db: Database,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  onChange(listener: (model: string, policy: TrafficPolicy) => void): void {
    this.listeners.push(listener);
  }

  policy(model: string): TrafficPolicy {
    return (
      this.policies.get(model) ?? {
        ...DEFAULT_POLICY,
        maxBatchSize: this.config.env['DEFAULT_MAX_BATCH_SIZE'] as number,
        maxBatchDelayMs: this.config.env['DEFAULT_MAX_BATCH_DELAY_MS'] as number,
      }
    );
  }

  /** Applies a patch to a model's policy and stores it (the caller checks that the model is served). */
  async set(model: string, patch: TrafficPolicyPatch): Promise<TrafficPolicy> {
    const next = TrafficPolicy.parse({ ...this.policy(model), ...patch });
    await this.db.query(
      `INSERT INTO "serving".traffic_policies (model, policy) VALUES ($1, $2::jsonb)
       ON CONFLICT (model) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now()`,
      [model, JSON.stringify(next)],
    );
    this.apply(model, next);
    return next;
  }

  /** Reads the stored policies (skipped while the database is not connected). */
  async load(): Promise<void> {
    if (!this.db.isConnected) return;
    const rows = await this.db.query<{ model: string; policy: unknown }>(`SELECT model, policy FROM "serving".traffic_policies`);
    for (const r of rows) {
      const checked = TrafficPolicy.validate(r.policy);
      if (checked.ok) this.apply(r.model, checked.value);
    }
  }

  private apply(model: string, policy: TrafficPolicy): void {
    this.policies.set(model, policy);
    for (const l of this.listeners) l(model, policy);
  }
}
