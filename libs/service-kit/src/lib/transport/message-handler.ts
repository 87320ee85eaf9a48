import { SetMetadata } from '@nestjs/common';
import { MessagePattern, EventPattern } from '@nestjs/microservices';
import { EnvelopeContract, type EventContract, type MessageContract, type Envelope } from '@mlp/contracts';
import { acceptRequestId, PlatformError, requestContext } from '@mlp/runtime';
import type { TSchema } from '@sinclair/typebox';

/** What the transport authentication needs to know of a handler: its pattern and kind. */
export const TRANSPORT_HANDLER = 'mlp:transport-handler';
export interface TransportHandlerMeta {
  pattern: string;
  kind: 'message' | 'event';
}

function unwrap(raw: unknown, contractId: string): { meta: Envelope<unknown>['meta']; data: unknown } {
  const envelope = EnvelopeContract.validate(raw);
  if (!envelope.ok) throw PlatformError.badRequest(`message for ${contractId} is not an envelope`, envelope.violations);
  return envelope.value as Envelope<unknown>;
}

function wrapHandler(descriptor: PropertyDescriptor, validateData: (data: unknown) => unknown, id: string) {
  const original = descriptor.value as (...args: unknown[]) => unknown;
  descriptor.value = function (this: unknown, raw: unknown, ...rest: unknown[]) {
    const { meta, data } = unwrap(raw, id);
    const ctx = { requestId: acceptRequestId(meta.requestId), principal: meta.caller };
    return requestContext.run(ctx, async () => original.call(this, validateData(data), meta, ...rest));
  };
}

/**
 * Handles a request/reply message: unwraps the envelope, validates the request against the
 * contract, and runs the handler with the caller's request id as its context. The handler gets
 * `(data, meta)` with `data` already typed.
 */
export function HandleMessage<Req extends TSchema, Rep extends TSchema>(contract: MessageContract<Req, Rep>): MethodDecorator {
  return (target, key, descriptor) => {
    wrapHandler(
      descriptor,
      (data) => {
        const r = contract.request.validate(data);
        if (!r.ok) throw PlatformError.badRequest(`invalid ${contract.pattern} request`, r.violations);
        return r.value;
      },
      contract.pattern,
    );
    SetMetadata(TRANSPORT_HANDLER, { pattern: contract.pattern, kind: 'message' } satisfies TransportHandlerMeta)(target, key, descriptor);
    MessagePattern(contract.pattern)(target, key, descriptor);
  };
}

/** Handles an event; invalid payloads are logged by the filter and dropped by the transport. */
export function HandleEvent<P extends TSchema>(contract: EventContract<P>): MethodDecorator {
  return (target, key, descriptor) => {
    wrapHandler(descriptor, (data) => contract.payload.parse(data), contract.pattern);
    SetMetadata(TRANSPORT_HANDLER, { pattern: contract.pattern, kind: 'event' } satisfies TransportHandlerMeta)(target, key, descriptor);
    EventPattern(contract.pattern)(target, key, descriptor);
  };
}
