import { Injectable, type PipeTransform } from '@nestjs/common';
import type { Contract } from '@mlp/contracts';
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
