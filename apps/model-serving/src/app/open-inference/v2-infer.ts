import { Inject, Injectable } from '@nestjs/common';
import { PLATFORM_CONFIG, type FastRouteRequest, type PlatformConfig } from '@mlp/service-kit';
import { modelNotFound } from '../errors/inference-error';
import { InferenceService } from '../inference/inference.service';
import { andThen, type MaybePromise } from '../inference/maybe-promise';
import { BY_POLICY, type Target } from '../inference/version-resolver';
import { ModelStore } from '../models/model-store';
import { versionParam } from '../models/version-param';
import { parseEntityParameter } from './entity-parameter';
import { TensorInputs } from './tensor-inputs';
import { inferResponseJson, outputTensors, parseInferRequest, stickyKeyParameter } from './v2-protocol';

/**
 * The V2 infer operation: reads the request (the version path segment, the body, the sticky keys,
 * the entity of its rows for the prediction log), predicts through the inference path, and
 * answers the V2 response as JSON text. It is the one
 * handler of both infer routes (`/v2/models/{m}/infer`, `/v2/models/{m}/versions/{v}/infer`) and of
 * both ways in: the kit's fast route and the Nest route (see V2InferController).
 */
@Injectable()
export class V2Infer {
  private readonly maxElements: number;
  private readonly maxRows: number;

  constructor(
    private readonly store: ModelStore,
    private readonly inference: InferenceService,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
  ) {
    this.maxElements = config.env['MAX_INFER_ELEMENTS'] as number;
    this.maxRows = config.env['MAX_INFER_ROWS'] as number;
  }

  readonly handle = ({ params, body, id, headers }: FastRouteRequest): MaybePromise<string> => {
    const name = params['model'];
    const target: Target = params['version'] === undefined ? BY_POLICY : { version: versionParam(name, params['version']) };
    if (!this.store.knows(name)) throw modelNotFound(name);
    const { request, entity } = this.inference.read(name, () => {
      const parsed = parseInferRequest(body, { maxElements: this.maxElements });
      return { request: parsed, entity: parseEntityParameter(parsed.parameters) };
    });
    const header = headers['x-sticky-key'];
    const prediction = this.inference.predict({
      model: name,
      target,
      sticky: { entity: stickyKeyParameter(request.parameters), header: typeof header === 'string' ? header : undefined, requestId: id },
      requestId: id,
      inputs: new TensorInputs(request.inputs, this.maxRows, request.outputs, entity),
    });
    return andThen(prediction, (p) => {
      const { artifact } = p.model;
      // A multiclass answer names its classes: the columns of `probabilities`, in order.
      const parameters = artifact.classes ? { arm: p.arm, classes: artifact.classes } : { arm: p.arm };
      return inferResponseJson(name, p.model.version, request, outputTensors(artifact, p.outputs, p.rows.rows), parameters);
    });
  };
}
