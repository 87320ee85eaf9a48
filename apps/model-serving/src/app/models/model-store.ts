import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { GetModelVersionMessage, ListAliasesMessage, ServiceName, type TrafficPolicy } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { PeerClients, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { InferErrorCode, modelNotFound } from '../errors/inference-error';
import { ServingMetrics } from '../metrics/serving-metrics';
import { TrafficPolicies } from '../traffic/traffic-policies';
import { LoadedModel } from './loaded-model';

export type Alias = 'champion' | 'challenger';

interface ModelSlots {
  champion?: LoadedModel;
  challenger?: LoadedModel;
  /** Versions asked for by number (kept while in use, a few at most). */
  pinned: Map<number, LoadedModel>;
  /** Versions the registry says the aliases point at (null: alias unset). */
  wanted: { champion: number | null; challenger: number | null };
  lastError?: { version: number; message: string; at: string };
}

const MAX_PINNED = 4;

/**
 * The models in memory. Champion and challenger follow the registry's aliases (on `model.promoted`
 * and on a periodic reconcile); a new version is verified, warmed up and swapped in with one
 * assignment, so a request resolves either the old or the new version, never a half-loaded one.
 * The old version is retired and disposed after its last in-flight request. A version that fails
 * to load is refused and the old one keeps serving.
 */
@Injectable()
export class ModelStore implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly models = new Map<string, ModelSlots>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private reconciledOnce = false;
  private readonly listeners: Array<(m: LoadedModel) => void> = [];

  constructor(
    private readonly peers: PeerClients,
    private readonly policies: TrafficPolicies,
    private readonly metrics: ServingMetrics,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {
    metrics.queueSource = () =>
      this.loadedModels().map((m) => ({ model: m.name, version: m.version, rows: m.batcher.queueSize }));
    policies.onChange((model, policy) => this.configureBatchers(model, policy));
  }

  onApplicationBootstrap(): void {
    const interval = this.config.env['MODEL_RECONCILE_INTERVAL_MS'] as number;
    const tick = async () => {
      if (this.stopped) return;
      await this.reconcile().catch((err) => this.log.warn({ err: String(err) }, 'model reconcile failed; retrying'));
      if (this.stopped) return;
      // Until the first reconcile worked (registry down at start), retry quickly.
      this.timer = setTimeout(() => void tick(), this.reconciledOnce ? interval : Math.min(interval, 1000));
      this.timer.unref();
    };
    void tick();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Called with every version that was swapped in (drift monitors start fresh for it). */
  onLoaded(listener: (m: LoadedModel) => void): void {
    this.listeners.push(listener);
  }

  get ready(): boolean {
    if (!this.reconciledOnce) return false;
    return [...this.models.values()].every((s) => s.wanted.champion === null || s.champion !== undefined);
  }

  modelNames(): string[] {
    return [...this.models.keys()].sort();
  }

  loadedModels(): LoadedModel[] {
    const out = new Set<LoadedModel>();
    for (const s of this.models.values()) {
      if (s.champion) out.add(s.champion);
      if (s.challenger) out.add(s.challenger);
      for (const p of s.pinned.values()) out.add(p);
    }
    return [...out];
  }

  status(name: string) {
    const s = this.slots(name);
    return {
      champion: s.champion?.version ?? null,
      challenger: s.challenger?.version ?? null,
      wanted: { ...s.wanted },
      pinned: [...s.pinned.keys()],
      lastError: s.lastError,
    };
  }

  /** Compares every model's aliases with the registry and loads what changed. */
  async reconcile(): Promise<void> {
    await this.policies.load();
    const { models } = await this.peers.get(ServiceName.TRAINER).send(ListAliasesMessage, {});
    await Promise.all(models.map((m) => Promise.all([this.ensure(m.model, 'champion', m.champion), this.ensure(m.model, 'challenger', m.challenger)])));
    this.reconciledOnce = true;
  }

  /** Points an alias at a version (loading it first), or unsets it. Serialised per model. */
  ensure(model: string, alias: Alias, version: number | null): Promise<void> {
    const previous = this.locks.get(model) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.ensureNow(model, alias, version));
    this.locks.set(model, next);
    return next.catch(() => undefined);
  }

  private async ensureNow(model: string, alias: Alias, version: number | null): Promise<void> {
    const slots = this.slotsOrCreate(model);
    slots.wanted[alias] = version;
    const current = slots[alias];
    if (version === null) {
      if (current) {
        slots[alias] = undefined;
        this.retireIfUnused(slots, current);
        this.log.info({ model, alias, version: current.version }, 'alias unset; version retired');
      }
      return;
    }
    if (current?.version === version) return;
    const reuse = [slots.champion, slots.challenger, slots.pinned.get(version)].find((m) => m?.version === version);
    let loaded = reuse;
    if (!loaded) {
      try {
        loaded = await this.fetchAndLoad(model, version);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        slots.lastError = { version, message, at: new Date().toISOString() };
        this.metrics.loads.inc({ model, outcome: 'refused' });
        this.log.error({ model, alias, version, err: message, keeps: current?.version ?? null }, 'model version refused; the current version keeps serving');
        throw err;
      }
    }
    slots[alias] = loaded; // the swap: one assignment
    if (current) this.retireIfUnused(slots, current);
    this.log.info({ model, alias, version, previous: current?.version ?? null }, 'model version swapped in');
  }

  private async fetchAndLoad(model: string, version: number): Promise<LoadedModel> {
    const entry = await this.peers.get(ServiceName.TRAINER).send(GetModelVersionMessage, { model, version }, 30000);
    const policy = this.policies.policy(model);
    const workerMinRows = this.config.env['INFERENCE_WORKER_MIN_ROWS'] as number;
    const loaded = await LoadedModel.load(
      entry,
      { maxBatchSize: policy.maxBatchSize, maxBatchDelayMs: policy.maxBatchDelayMs, workerMinRows },
      this.metrics.batchSize.bind({ model, version: String(version) }),
    );
    this.metrics.loads.inc({ model, outcome: 'loaded' });
    for (const l of this.listeners) l(loaded);
    return loaded;
  }

  private retireIfUnused(slots: ModelSlots, m: LoadedModel): void {
    if (slots.champion === m || slots.challenger === m || [...slots.pinned.values()].includes(m)) return;
    m.retire();
  }

  /** Any version of a model in memory (champion first), without allocating: the infer hot path asks per request. */
  anyLoaded(model: string): LoadedModel | undefined {
    const slots = this.models.get(model);
    if (!slots) return undefined;
    if (slots.champion) return slots.champion;
    if (slots.challenger) return slots.challenger;
    for (const m of slots.pinned.values()) return m;
    return undefined;
  }

  /** The version an alias serves, or a 404/503 telling why there is none. */
  alias(model: string, alias: Alias): LoadedModel {
    const slots = this.models.get(model);
    if (!slots) throw modelNotFound(model);
    const m = slots[alias];
    if (!m) {
      if (slots.wanted[alias] === null) throw new PlatformError(404, InferErrorCode.MODEL_VERSION_NOT_FOUND, `model ${model} has no ${alias}`);
      throw new PlatformError(503, InferErrorCode.MODEL_NOT_READY, `model ${model} ${alias} v${slots.wanted[alias]} is not loaded yet`);
    }
    return m;
  }

  challengerOf(model: string): LoadedModel | undefined {
    return this.models.get(model)?.challenger;
  }

  /** A specific version: an alias's, a pinned one, or loaded from the registry on first use. */
  async version(model: string, version: number): Promise<LoadedModel> {
    const slots = this.models.get(model);
    if (!slots) throw modelNotFound(model);
    const hit = [slots.champion, slots.challenger, slots.pinned.get(version)].find((m) => m?.version === version && !m.isDisposed);
    if (hit) return hit;
    let loaded: LoadedModel;
    try {
      loaded = await this.fetchAndLoad(model, version);
    } catch (err) {
      if (err instanceof PlatformError && err.status === 404) throw new PlatformError(404, InferErrorCode.MODEL_VERSION_NOT_FOUND, `model ${model} has no version ${version}`);
      throw err;
    }
    const raced = slots.pinned.get(version);
    if (raced) {
      loaded.retire();
      return raced;
    }
    slots.pinned.set(version, loaded);
    if (slots.pinned.size > MAX_PINNED) {
      const [oldest] = slots.pinned.keys();
      const evicted = slots.pinned.get(oldest) as LoadedModel;
      slots.pinned.delete(oldest);
      this.retireIfUnused(slots, evicted);
    }
    return loaded;
  }

  /** Synchronous lookup of an already loaded version (for metadata). */
  loadedVersion(model: string, version: number): LoadedModel | undefined {
    const s = this.models.get(model);
    return [s?.champion, s?.challenger, s?.pinned.get(version)].find((m) => m?.version === version);
  }

  knows(model: string): boolean {
    return this.models.has(model);
  }

  private slots(model: string): ModelSlots {
    const s = this.models.get(model);
    if (!s) throw modelNotFound(model);
    return s;
  }

  private slotsOrCreate(model: string): ModelSlots {
    let s = this.models.get(model);
    if (!s) {
      s = { pinned: new Map(), wanted: { champion: null, challenger: null } };
      this.models.set(model, s);
    }
    return s;
  }

  /** A policy's batching applies to every loaded version of its model. */
  private configureBatchers(model: string, policy: TrafficPolicy): void {
    const s = this.models.get(model);
    for (const m of [s?.champion, s?.challenger, ...(s?.pinned.values() ?? [])]) m?.batcher.configure(policy);
  }
}
