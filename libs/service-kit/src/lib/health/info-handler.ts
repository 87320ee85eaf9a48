import { Controller, type Type } from '@nestjs/common';
import type { MessageContract } from '@mlp/contracts';
import { HandleMessage } from '../transport/message-handler';
import { ServiceInfoProvider } from './service-info';

/** Builds the controller answering `<service>.info.v1`; the pattern is the service's own constant. */
export function createInfoHandler(contract: MessageContract): Type<unknown> {
  @Controller()
  class InfoMessageHandler {
    constructor(readonly info: ServiceInfoProvider) {}
    handle() {
      return this.info.info();
    }
  }
  const descriptor = Object.getOwnPropertyDescriptor(InfoMessageHandler.prototype, 'handle') as PropertyDescriptor;
  HandleMessage(contract)(InfoMessageHandler.prototype, 'handle', descriptor);
  Object.defineProperty(InfoMessageHandler.prototype, 'handle', descriptor);
  return InfoMessageHandler;
}
