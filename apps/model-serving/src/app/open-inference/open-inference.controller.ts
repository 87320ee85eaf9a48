import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '@mlp/contracts';
import { kindOfArtifact } from '@mlp/model-runtime';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, Public, SERVICE_DEFINITION, type ServiceDefinition } from '@mlp/service-kit';
import type { LoadedModel } from '../models/loaded-model';
import { ModelStore } from '../models/model-store';
import { versionParam } from '../models/version-param';
import { InferErrorCode, modelNotFound } from '../errors/inference-error';
import { LIVE_DOC, METADATA_DOC, MODEL_READY_DOC, READY_DOC, SERVER_DOC, VERSION_METADATA_DOC, VERSION_READY_DOC } from './open-inference.docs';

export function platformOf(m: LoadedModel): string {
  return kindOfArtifact(m.artifact).platform;
}

/** The Open Inference Protocol (KServe V2) over REST: health, server and model metadata (infer: V2InferController). */
@ApiTags('open-inference-v2')
@Controller('v2')
export class OpenInferenceController {
  constructor(
    private readonly store: ModelStore,
    @Inject(SERVICE_DEFINITION) private readonly def: ServiceDefinition,
  ) {}

  @Get('health/live')
  @Public()
  @ApiContract(LIVE_DOC)
  live() {
    return { live: true };
  }

  @Get('health/ready')
  @Public()
  @ApiContract(READY_DOC)
  ready() {
    if (!this.store.ready) throw new PlatformError(503, ErrorCode.NOT_READY, 'models are still loading', [{ code: ErrorCode.NOT_READY, message: 'not every champion is loaded yet' }]);
    return { ready: true };
  }

  @Get()
  @ApiContract(SERVER_DOC)
  server() {
    return { name: this.def.name, version: this.def.version, extensions: ['model_repository_status', 'traffic_policy', 'entity_predictions'] };
  }

  @Get('models/:model')
  @ApiContract(METADATA_DOC)
  metadata(@Param('model') model: string) {
    return this.describe(this.store.alias(model, 'champion'));
  }

  @Get('models/:model/versions/:version')
  @ApiContract(VERSION_METADATA_DOC)
  versionMetadata(@Param('model') model: string, @Param('version') version: string) {
    return this.describe(this.loaded(model, version));
  }

  @Get('models/:model/ready')
  @ApiContract(MODEL_READY_DOC)
  modelReady(@Param('model') model: string) {
    this.store.alias(model, 'champion');
    return { name: model, ready: true };
  }

  @Get('models/:model/versions/:version/ready')
  @ApiContract(VERSION_READY_DOC)
  versionReady(@Param('model') model: string, @Param('version') version: string) {
    this.loaded(model, version);
    return { name: model, version, ready: true };
  }

  private loaded(model: string, raw: string): LoadedModel {
    const version = versionParam(model, raw);
    if (!this.store.knows(model)) throw modelNotFound(model);
    const m = this.store.loadedVersion(model, version);
    if (!m) throw new PlatformError(404, InferErrorCode.MODEL_VERSION_NOT_FOUND, `model ${model} version ${version} is not loaded (it loads on its first infer)`);
    return m;
  }

  private describe(m: LoadedModel) {
    const versions = this.store
      .loadedModels()
      .filter((x) => x.name === m.name)
      .map((x) => String(x.version))
      .sort((a, b) => Number(a) - Number(b));
    return {
      name: m.name,
      versions,
      platform: platformOf(m),
      inputs: m.artifact.signature.inputs,
      outputs: m.artifact.signature.outputs,
      parameters: {
        version: String(m.version),
        sha256: m.sha256,
        task: m.artifact.task,
        algorithm: m.artifact.algorithm,
        /** Inputs are raw feature values; the artifact's preprocessing runs inside the server. */
        input_kind: 'raw_features',
        /** Multiclass: the classes, in the order of the `probabilities` output's columns. */
        ...(m.artifact.classes ? { classes: m.artifact.classes } : {}),
      },
    };
  }
}
