import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ModelSpec } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { RunQueue } from '../training-runs/run-queue';
import { scheduleTick } from './cron-schedule';

/**
 * Scheduled and event-triggered retraining. Every replica ticks; the model row lock (SKIP LOCKED)
 * makes one replica handle each occurrence, `schedule_handled_at` makes it handled once, and the
 * one-active-run-per-model index makes overlap impossible whatever triggers a run.
 */
@Injectable()
export class RetrainScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    private readonly queue: RunQueue,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  private get codeVersion(): string {
    return String(this.config.env['CODE_VERSION']);
  }

  onApplicationBootstrap(): void {
    const every = Number(this.config.env['TRAINER_SCHEDULER_MS']);
    if (every <= 0) return;
    this.timer = setInterval(() => void this.tick().catch((err) => this.log.warn({ err: String(err) }, 'schedule tick failed')), every);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Handles every declared (not removed) model with a schedule once; returns what it did per model. */
  async tick(now = new Date()): Promise<Array<{ model: string; action: string; due: string | null }>> {
    if (!this.db.isConnected) return [];
    const names = await this.db.query<{ name: string }>(`SELECT name FROM "registry".models WHERE spec ? 'schedule' AND removed_at IS NULL ORDER BY name`);
    const out: Array<{ model: string; action: string; due: string | null }> = [];
    for (const { name } of names) {
      const done = await this.db.transaction(async (m) => {
        const [row] = (await m.query(`SELECT spec, schedule_handled_at, created_at FROM "registry".models WHERE name = $1 AND removed_at IS NULL FOR UPDATE SKIP LOCKED`, [name])) as Array<{
          spec: ModelSpec;
          schedule_handled_at: Date | null;
          created_at: Date;
        }>;
        if (!row?.spec.schedule) return null;
        const [active] = (await m.query(`SELECT 1 FROM "registry".training_runs WHERE model = $1 AND status IN ('queued', 'running') AND NOT trial`, [name])) as unknown[];
        const decision = scheduleTick({
          cron: row.spec.schedule.cron,
          timezone: row.spec.schedule.timezone,
          lastHandled: row.schedule_handled_at ?? row.created_at,
          now,
          activeRun: !!active,
        });
        if (decision.action === 'idle') return { model: name, action: 'idle', due: null };
        if (decision.action === 'enqueue') {
          await this.queue.enqueue({ model: name, spec: row.spec, trigger: `schedule:${decision.due.toISOString()}`, requestedBy: 'scheduler', codeVersion: this.codeVersion, maxAttempts: this.maxAttempts }, m);
        } else {
          this.log.info({ model: name, due: decision.due }, 'scheduled retrain skipped: a run of this model is still queued or running');
        }
        await m.query(`UPDATE "registry".models SET schedule_handled_at = $2 WHERE name = $1`, [name, decision.due]);
        return { model: name, action: decision.action, due: decision.due.toISOString() };
      });
      if (done) out.push(done);
    }
    return out;
  }

  private get maxAttempts(): number {
    return Number(this.config.env['TRAINER_MAX_ATTEMPTS']);
  }

  /**
   * Queues a retrain for an event unless one is already queued or running (events do not stack runs)
   * or the spec's `triggers.minIntervalMinutes` has not passed since the last event-triggered run.
   */
  async trigger(model: string, reason: string, wants: (spec: ModelSpec) => boolean): Promise<string | null> {
    const [row] = await this.db.query<{ spec: ModelSpec; recent: boolean }>(
      `SELECT m.spec,
              EXISTS (SELECT 1 FROM "registry".training_runs r
                       WHERE r.model = m.name AND r.requested_by = 'event'
                         AND r.created_at > now() - make_interval(mins => COALESCE((m.spec->'triggers'->>'minIntervalMinutes')::int, 0))) AS recent
         FROM "registry".models m WHERE m.name = $1 AND m.removed_at IS NULL`,
      [model],
    );
    if (!row || !wants(row.spec)) return null;
    if (row.recent) {
      this.log.info({ model, reason, minIntervalMinutes: row.spec.triggers?.minIntervalMinutes }, 'retrain trigger ignored: an event-triggered run started within the minimum interval');
      return null;
    }
    try {
      const run = await this.queue.enqueue({ model, spec: row.spec, trigger: reason, requestedBy: 'event', codeVersion: this.codeVersion, maxAttempts: this.maxAttempts });
      this.log.info({ model, runId: run.id, reason }, 'retrain triggered');
      return run.id;
    } catch (e) {
      // Already running, or the spec was removed since it was read.
      if (e instanceof PlatformError && (e.code === 'RUN_IN_PROGRESS' || e.code === 'MODEL_NOT_FOUND')) return null;
      throw e;
    }
  }

  async modelsWatching(mart: string): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>(`SELECT name FROM "registry".models WHERE spec->'triggers'->'martsRefreshed' ? $1 AND removed_at IS NULL ORDER BY name`, [mart]);
    return rows.map((r) => r.name);
  }
}
