import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, PLATFORM_CONFIG, RequireScope, type PlatformConfig } from '@mlp/service-kit';
import type { FastifyRequest } from 'fastify';
import { InferErrorCode, modelNotFound } from '../errors/inference-error';
import { InferenceService } from '../inference/inference.service';
import { BY_POLICY, type Target } from '../inference/version-resolver';
import { ModelStore, type Alias } from '../models/model-store';
import { versionParam } from '../models/version-param';
import { TensorInputs } from '../open-inference/tensor-inputs';
import { outputTensors, parseInferRequest } from '../open-inference/v2-protocol';
import { tfServingToV2, v2ToTfServing } from './tf-serving-protocol';
import { PREDICT_DOC, PREDICT_LABEL_DOC, PREDICT_VERSION_DOC, STATUS_DOC, VERSION_STATUS_DOC } from './tf-serving.docs';

/**
 * TF-Serving-style REST for teams migrating from it. The path has a literal colon (`churn:predict`):
 * Fastify takes `::` as that colon, and the parameter needs a pattern to stop before it.
 */
@ApiTags('tf-serving')
@Controller('v1/models')
export class TfServingController {
  constructor(
    private readonly store: ModelStore,
    private readonly inference: InferenceService,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  @Post(':model(^[a-zA-Z0-9_.-]+)::predict')
  @HttpCode(200)
  @RequireScope('serving:predict')
  @ApiContract(PREDICT_DOC)
  predict(@Param('model') model: string, @Body() body: unknown, @Req() req: FastifyRequest, @Headers('x-sticky-key') sticky?: string) {
    return this.run(model, BY_POLICY, body, req.id, sticky);
  }

  @Post(':model/versions/:version(^[a-zA-Z0-9_.-]+)::predict')
  @HttpCode(200)
  @RequireScope('serving:predict')
  @ApiContract(PREDICT_VERSION_DOC)
  predictVersion(@Param('model') model: string, @Param('version') version: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return this.run(model, { version: versionParam(model, version) }, body, req.id);
  }

  @Post(':model/labels/:label(^[a-zA-Z0-9_.-]+)::predict')
  @HttpCode(200)
  @RequireScope('serving:predict')
  @ApiContract(PREDICT_LABEL_DOC)
  predictLabel(@Param('model') model: string, @Param('label') label: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    if (label !== 'champion' && label !== 'challenger') throw new PlatformError(404, InferErrorCode.MODEL_VERSION_NOT_FOUND, `model ${model} has no label ${label} (champion, challenger)`);
    return this.run(model, { alias: label as Alias }, body, req.id);
  }

  /** TF-Serving's model status: one entry per version held in memory. */
  @Get(':model')
  @ApiContract(STATUS_DOC)
  status(@Param('model') model: string) {
    if (!this.store.knows(model)) throw modelNotFound(model);
    const s = this.store.status(model);
    const loaded = this.store.loadedModels().filter((m) => m.name === model);
    const entries = loaded.map((m) => ({ version: String(m.version), state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }));
    for (const alias of ['champion', 'challenger'] as const) {
      const wanted = s.wanted[alias];
      if (wanted !== null && !loaded.some((m) => m.version === wanted)) {
        const failed = s.lastError?.version === wanted;
        entries.push({ version: String(wanted), state: failed ? 'END' : 'LOADING', status: { error_code: failed ? 'FAILED_PRECONDITION' : 'OK', error_message: failed ? (s.lastError?.message ?? '') : '' } });
      }
    }
    return { model_version_status: entries, labels: { champion: s.champion, challenger: s.challenger } };
  }

  /** TF-Serving's status of one version. */
  @Get(':model/versions/:version')
  @ApiContract(VERSION_STATUS_DOC)
  versionStatus(@Param('model') model: string, @Param('version') version: string) {
    const v = String(versionParam(model, version));
    const entry = this.status(model).model_version_status.find((e) => e.version === v);
    if (!entry) throw new PlatformError(404, InferErrorCode.MODEL_VERSION_NOT_FOUND, `model ${model} version ${v} is not loaded`);
    return { model_version_status: [entry] };
  }

  /**
   * Reads the TF-Serving body as V2 tensors (typed by the model's declared inputs: any loaded
   * version tells them), predicts through the inference path, and answers in the body's layout.
   */
  private async run(name: string, target: Target, body: unknown, requestId: string, stickyHeader?: string) {
    if (!this.store.knows(name)) throw modelNotFound(name);
    const reference = this.store.anyLoaded(name);
    if (!reference) throw new PlatformError(503, InferErrorCode.MODEL_NOT_READY, `model ${name} is not loaded yet`);
    const { request, format } = this.inference.read(name, () => {
      const { v2, format } = tfServingToV2(body, reference.artifact);
      return { request: parseInferRequest(v2, { maxElements: this.config.env['MAX_INFER_ELEMENTS'] as number }), format };
    });
    const p = await this.inference.predict({
      model: name,
      target,
      sticky: { header: stickyHeader, requestId },
      requestId,
      inputs: new TensorInputs(request.inputs, this.config.env['MAX_INFER_ROWS'] as number),
    });
    return v2ToTfServing(outputTensors(p.model.artifact, p.outputs, p.rows.rows), format);
  }
}
