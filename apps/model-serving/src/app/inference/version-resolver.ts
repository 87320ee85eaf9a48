import { Injectable } from '@nestjs/common';
import { PlatformError } from '@mlp/runtime';
import { InferErrorCode } from '../errors/inference-error';
import type { LoadedModel, ModelArm } from '../models/loaded-model';
import { ModelStore, type Alias } from '../models/model-store';
import { TrafficPolicies } from '../traffic/traffic-policies';
import { chooseArm, stickyKeyFor, type ArmDecision, type StickyKeys } from '../traffic/traffic-split';
import type { MaybePromise } from './maybe-promise';

/** Which version answers: a pinned number, an alias, or the model's traffic policy. */
export type Target = { version: number } | { alias: Alias } | { policy: true };
export const BY_POLICY: Target = { policy: true };

/** The version that answers a request, the arm it answers as, and the challenger to score in shadow mode. */
export interface Route {
  model: LoadedModel;
  arm: ModelArm;
  shadow?: LoadedModel;
}

const swapping = (name: string) => new PlatformError(503, InferErrorCode.MODEL_NOT_READY, `${name} is being swapped; retry`);

/** Resolves a request's target to a version of the model, and holds it for the request. */
@Injectable()
export class VersionResolver {
  constructor(
    private readonly store: ModelStore,
    private readonly policies: TrafficPolicies,
  ) {}

  /** The arm the model's traffic policy gives these sticky keys (the same keys, the same arm, every time). */
  decide(name: string, sticky: StickyKeys): ArmDecision {
    const policy = this.policies.policy(name);
    return chooseArm(policy, stickyKeyFor(policy, sticky), this.store.challengerOf(name) !== undefined);
  }

  /**
   * The version that answers, held (`acquire`) until the caller releases it, so that a swap while
   * the request is still fetching features or predicting cannot unload it underneath. An alias or
   * the traffic policy resolves synchronously (no promise on the hot path); a pinned version may
   * have to be loaded first. A version unloaded between choosing and holding is chosen again: its
   * successor is serving.
   */
  resolve(name: string, target: Target, sticky: StickyKeys): MaybePromise<Route> {
    if ('version' in target) return this.pinned(name, target.version);
    for (let attempt = 0; attempt < 3; attempt++) {
      const route = this.choose(name, target, sticky);
      if (route.model.acquire()) return route;
    }
    throw swapping(name);
  }

  private choose(name: string, target: { alias: Alias } | { policy: true }, sticky: StickyKeys): Route {
    if ('alias' in target) return { model: this.store.alias(name, target.alias), arm: target.alias };
    const decision = this.decide(name, sticky);
    const challenger = this.store.challengerOf(name);
    const model = decision.serve === 'challenger' && challenger ? challenger : this.store.alias(name, 'champion');
    return { model, arm: decision.serve, shadow: decision.shadow ? challenger : undefined };
  }

  private async pinned(name: string, version: number): Promise<Route> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const model = await this.store.version(name, version);
      if (model.acquire()) return { model, arm: 'pinned' };
    }
    throw swapping(name);
  }
}
