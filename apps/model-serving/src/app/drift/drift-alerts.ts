import { Inject, Injectable } from '@nestjs/common';
import { ModelDriftDetectedEvent } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import { Database, Outbox, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';

/**
 * Drift alerts: `model.drift.detected.v1` through the outbox (to the trainer, and by the outbox's
 * relay to the webhook receivers of `WEBHOOKS`), at most once per `DRIFT_ALERT_COOLDOWN_MS` per model
 * version unless another feature starts drifting. The cooldown lives in `serving.drift_alerts`, claimed
 * in the transaction that publishes, so replicas watching the same version alert once between them.
 */
@Injectable()
export class DriftAlerts {
  private readonly cooldownMs: number;
  private readonly threshold: number;
  private readonly window: number;

  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {
    this.cooldownMs = config.env['DRIFT_ALERT_COOLDOWN_MS'] as number;
    this.threshold = config.env['DRIFT_ALERT_PSI'] as number;
    this.window = config.env['DRIFT_WINDOW'] as number;
  }

  /**
   * Alerts that these features of the version are in breach, unless the cooldown holds it back (or
   * the database is away: the next check tries again). True when the event was published.
   */
  async raise(model: { name: string; version: number }, breached: ReadonlyArray<{ feature: string; psi: number }>): Promise<boolean> {
    if (breached.length === 0 || !this.db.isConnected) return false;
    const names = breached.map((b) => b.feature);
    const published = await this.db.transaction(async (tx) => {
      const claimed: unknown[] = await tx.query(
        `INSERT INTO "serving".drift_alerts (model, version, last_alert_at, features) VALUES ($1, $2, now(), $3::jsonb)
         ON CONFLICT (model, version) DO UPDATE SET last_alert_at = now(),
           -- Within the cooldown the alerted set only grows, so features flapping around the
           -- threshold cannot re-alert each other; a new cooldown period starts from this breach.
           features = CASE WHEN "serving".drift_alerts.last_alert_at < now() - ($4 || ' milliseconds')::interval THEN EXCLUDED.features
                           ELSE (SELECT jsonb_agg(DISTINCT f) FROM jsonb_array_elements("serving".drift_alerts.features || EXCLUDED.features) f) END
           WHERE "serving".drift_alerts.last_alert_at < now() - ($4 || ' milliseconds')::interval
              OR NOT ("serving".drift_alerts.features ?& $5::text[])
         RETURNING model`,
        [model.name, model.version, JSON.stringify(names), String(this.cooldownMs), names],
      );
      if (claimed.length === 0) return false;
      await this.outbox.publish(
        ModelDriftDetectedEvent,
        { model: model.name, version: model.version, features: [...breached], threshold: this.threshold, window: this.window, at: new Date().toISOString() },
        tx,
      );
      return true;
    });
    if (published) this.log.warn({ model: model.name, version: model.version, features: breached }, 'input drift detected');
    return published;
  }
}
