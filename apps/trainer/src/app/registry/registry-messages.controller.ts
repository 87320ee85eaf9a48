import { Controller } from '@nestjs/common';
import { GetModelVersionMessage, ListAliasesMessage, type RequestOf } from '@mlp/contracts';
import { HandleMessage } from '@mlp/service-kit';
import { RegistryService } from './registry.service';

/** The registry over the transport: model-serving loads versions (sha256-verified) and reconciles aliases. */
@Controller()
export class RegistryMessagesController {
  constructor(private readonly registry: RegistryService) {}

  @HandleMessage(GetModelVersionMessage)
  modelVersion(data: RequestOf<typeof GetModelVersionMessage>) {
    return this.registry.resolveWithArtifact(data.model, { version: data.version, alias: data.alias });
  }

  @HandleMessage(ListAliasesMessage)
  aliases() {
    return this.registry.listAliases();
  }
}
