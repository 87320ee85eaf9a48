import { Inject, Injectable } from '@nestjs/common';
import type { ModelArtifact } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import { PLATFORM_LOGGER } from '@mlp/service-kit';
import type { LoadedModel, ModelArm } from '../models/loaded-model';
import { PredictionLogWriter } from '../prediction-log/prediction-log-writer';
import type { StickyKeys } from '../traffic/traffic-split';
import { always, andThen, onFailure, type MaybePromise } from './maybe-promise';
import type { ModelRows } from './model-rows';
import { PredictionObserver } from './prediction-observer';
import { VersionResolver, type Route, type Target } from './version-resolver';

/**
 * A request's inputs as its protocol read them, ready to become model rows for whichever version
 * answers: parsed tensors (V2, TF-Serving), or entities whose features are fetched (entity-keyed,
 * batch scoring).
 */
export interface ModelInputs<R extends ModelRows = ModelRows> {
  rowsFor(artifact: ModelArtifact): MaybePromise<R>;
}

/** What a protocol asks of the inference path once it has read its request. */
export interface PredictRequest<R extends ModelRows = ModelRows> {
  model: string;
  target: Target;
  sticky: StickyKeys;
  requestId: string;
  inputs: ModelInputs<R>;
}

/** The answer: the version and arm that made it, the rows it was given, and its output (`rows x outWidth`). */
export interface Prediction<R extends ModelRows = ModelRows> {
  model: LoadedModel;
  arm: ModelArm;
  rows: R;
  outputs: Float32Array;
}

/**
 * The one inference path. Every protocol (V2, TF-Serving, entity-keyed, batch scoring) reads its
 * own wire format and then calls `predict`; nothing else makes a prediction.
 */
@Injectable()
export class InferenceService {
  constructor(
    private readonly resolver: VersionResolver,
    private readonly observer: PredictionObserver,
    private readonly predictionLog: PredictionLogWriter,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  /**
   * Reads a request with its protocol's parser. A request refused there counts as a failure of the
   * model (against its champion), like any failure of `predict`.
   */
  read<T>(model: string, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      this.observer.failed(model, undefined, err);
      throw err;
    }
  }

  /**
   * Resolves the version (held until the answer is in, see VersionResolver), makes its model rows,
   * refuses up front what the prediction log could not take, predicts through the version's
   * batcher, observes the answer (non-finite check, metrics, drift, prediction log) and, in shadow
   * mode, scores the challenger on the side. The answer is synchronous whenever nothing had to wait
   * (an alias or the policy, tensor inputs, a batch the model runs at once): that is the hot path,
   * and it is this same code. A failure is counted once, against the version that handled it.
   */
  predict<R extends ModelRows>(request: PredictRequest<R>): MaybePromise<Prediction<R>> {
    let handledBy: LoadedModel | undefined;
    return onFailure(
      () =>
        andThen(this.resolver.resolve(request.model, request.target, request.sticky), (route) => {
          handledBy = route.model;
          return always(
            () => this.answer(route, request),
            () => route.model.release(),
          );
        }),
      (err) => this.observer.failed(request.model, handledBy, err),
    );
  }

  /** The answer of a version the caller holds; in shadow mode the challenger is scored beside it. */
  private answer<R extends ModelRows>(route: Route, request: PredictRequest<R>): MaybePromise<Prediction<R>> {
    return andThen(this.run(route.model, route.arm, request), ({ rows, outputs }) => {
      if (route.shadow) this.scoreInShadow(route.shadow, request);
      return { model: route.model, arm: route.arm, rows, outputs };
    });
  }

  /** One version's rows for the request, its output, and what is observed of it. */
  private run<R extends ModelRows>(model: LoadedModel, arm: ModelArm | 'shadow', request: PredictRequest<R>): MaybePromise<{ rows: R; outputs: Float32Array }> {
    return andThen(request.inputs.rowsFor(model.artifact), (rows) => {
      if (arm !== 'shadow') this.predictionLog.assertRoom(rows.rows);
      const startedAt = performance.now();
      return andThen(model.predict(rows.matrix, rows.rows), (outputs) => {
        this.observer.observe(model, arm, rows, outputs, startedAt, request.requestId);
        return { rows, outputs };
      });
    });
  }

  /**
   * Shadow mode: the challenger scores the same inputs through the same path, logged with arm
   * `shadow`. Nothing of it reaches the caller, its failures included.
   */
  private scoreInShadow(challenger: LoadedModel, request: PredictRequest): void {
    const failed = (err: unknown) =>
      this.log.warn({ model: challenger.name, version: challenger.version, err: String(err) }, 'shadow scoring failed (the caller was not affected)');
    if (!challenger.acquire()) return; // swapped out meanwhile: nothing to shadow
    try {
      const done = always(() => this.run(challenger, 'shadow', request), () => challenger.release());
      if (done instanceof Promise) done.catch(failed);
    } catch (err) {
      failed(err);
    }
  }
}
