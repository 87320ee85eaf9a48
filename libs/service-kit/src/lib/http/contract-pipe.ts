import { applyDecorators, Injectable, type PipeTransform } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { ErrorResponse, type Contract } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import type { Static, TSchema } from '@sinclair/typebox';

/** Validates a body/query/param against a contract: 400 VALIDATION_FAILED with paths and codes. */
@Injectable()
export class ContractPipe<S extends TSchema> implements PipeTransform<unknown, Static<S>> {
  constructor(private readonly contract: Contract<S>) {}
  transform(value: unknown): Static<S> {
    const result = this.contract.validate(value);
    if (!result.ok) throw PlatformError.badRequest(`invalid ${this.contract.id}`, result.violations);
    return result.value;
  }
}

export const validate = <S extends TSchema>(contract: Contract<S>) => new ContractPipe(contract);

/** Documents a route's body and answer with the contracts' own JSON Schemas. */
export function ApiContract(options: { body?: Contract; response?: Contract; status?: number; summary?: string }) {
  const decorators: Array<MethodDecorator & ClassDecorator> = [
    ApiBadRequestResponse({ description: 'invalid input', schema: ErrorResponse.jsonSchema }),
  ];
  if (options.body) decorators.push(ApiBody({ schema: options.body.jsonSchema }) as MethodDecorator & ClassDecorator);
  if (options.response) {
    decorators.push(
      options.status && options.status !== 200
        ? ApiResponse({ status: options.status, schema: options.response.jsonSchema })
        : ApiOkResponse({ schema: options.response.jsonSchema }),
    );
  }
  return applyDecorators(...decorators);
}
