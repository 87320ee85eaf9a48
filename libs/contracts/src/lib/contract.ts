import { Type, type Static, type TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * A contract is one schema from which everything else is derived: the TypeScript type
 * (`Static<typeof C.schema>`, exported next to it as a type alias), the runtime validator
 * (`C.validate`) and the JSON Schema (`C.jsonSchema`) that OpenAPI and non-TypeScript consumers use.
 */
export interface Contract<S extends TSchema = TSchema> {
  readonly id: string;
  readonly schema: S;
  readonly jsonSchema: Record<string, unknown>;
  validate(value: unknown): ValidationResult<Static<S>>;
  /** Validates and returns the typed value, or throws a ContractViolation. */
  parse(value: unknown): Static<S>;
  is(value: unknown): value is Static<S>;
}

/** Machine-readable violation codes, shared with the warehouse tracking plan. */
export const ViolationCode = {
  REQUIRED_MISSING: 'REQUIRED_MISSING',
  DATATYPE_MISMATCH: 'DATATYPE_MISMATCH',
  ADDITIONAL_PROPERTIES: 'ADDITIONAL_PROPERTIES',
  ACCEPTED_VALUES: 'ACCEPTED_VALUES',
  FORMAT_MISMATCH: 'FORMAT_MISMATCH',
  PATTERN_MISMATCH: 'PATTERN_MISMATCH',
  OUT_OF_RANGE: 'OUT_OF_RANGE',
  SIZE_CONSTRAINT: 'SIZE_CONSTRAINT',
  SCHEMA_VIOLATION: 'SCHEMA_VIOLATION',
} as const;
export type ViolationCode = (typeof ViolationCode)[keyof typeof ViolationCode];

export interface Violation {
  /** JSONPath of the offending value, e.g. `$.properties.revenue`. */
  path: string;
  code: ViolationCode;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; violations: Violation[] };

export class ContractViolation extends Error {
  constructor(
    readonly contractId: string,
    readonly violations: Violation[],
  ) {
    super(`${contractId}: ${violations.map((v) => `${v.path} ${v.message}`).join('; ')}`);
    this.name = 'ContractViolation';
  }
}

const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false, validateFormats: true });
addFormats(ajv);

const registry = new Map<string, Contract>();

function codeFor(error: ErrorObject): ViolationCode {
  switch (error.keyword) {
    case 'required':
      return ViolationCode.REQUIRED_MISSING;
    case 'type':
      return ViolationCode.DATATYPE_MISMATCH;
    case 'additionalProperties':
      return ViolationCode.ADDITIONAL_PROPERTIES;
    case 'enum':
    case 'const':
      return ViolationCode.ACCEPTED_VALUES;
    case 'format':
      return ViolationCode.FORMAT_MISMATCH;
    case 'pattern':
      return ViolationCode.PATTERN_MISMATCH;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'multipleOf':
      return ViolationCode.OUT_OF_RANGE;
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties':
      return ViolationCode.SIZE_CONSTRAINT;
    default:
      return ViolationCode.SCHEMA_VIOLATION;
  }
}

/** Converts an Ajv instance path (`/a/0/b`) to JSONPath (`$.a[0].b`). */
export function toJsonPath(instancePath: string, child?: string): string {
  const segments = instancePath === '' ? [] : instancePath.slice(1).split('/');
  if (child !== undefined) segments.push(child);
  let out = '$';
  for (const raw of segments) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Turns Ajv errors into violations with codes and JSON paths; `anyOf` noise is folded away. */
export function toViolations(errors: ErrorObject[] | null | undefined): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    let path: string;
    if (e.keyword === 'required') path = toJsonPath(e.instancePath, String(e.params['missingProperty']));
    else if (e.keyword === 'additionalProperties') path = toJsonPath(e.instancePath, String(e.params['additionalProperty']));
    else path = toJsonPath(e.instancePath);
    const code = codeFor(e);
    const message =
      e.keyword === 'additionalProperties'
        ? 'is not allowed by the schema'
        : e.keyword === 'enum'
          ? `must be one of ${JSON.stringify(e.params['allowedValues'])}`
          : (e.message ?? 'is invalid');
    const key = `${path}|${code}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, code, message });
  }
  return out;
}

/** Compiles a JSON Schema document (not necessarily a TypeBox one) with the shared validator settings. */
export function compileJsonSchema(schema: object): ValidateFunction {
  return ajv.compile(schema);
}

function stripSymbols(value: unknown): unknown {
  // TypeBox marks schemas with symbol keys; JSON.stringify drops them, which is what we want.
  return JSON.parse(JSON.stringify(value));
}

export function defineContract<S extends TSchema>(id: string, schema: S): Contract<S> {
  if (registry.has(id)) throw new Error(`contract ${id} is defined twice`);
  let compiled: ValidateFunction | undefined;
  const validator = () => (compiled ??= ajv.compile(schema));
  const contract: Contract<S> = {
    id,
    schema,
    jsonSchema: { $id: id, ...(stripSymbols(schema) as Record<string, unknown>) },
    validate(value) {
      const fn = validator();
      return fn(value) ? { ok: true, value: value as Static<S> } : { ok: false, violations: toViolations(fn.errors) };
    },
    parse(value) {
      const result = contract.validate(value);
      if (!result.ok) throw new ContractViolation(id, result.violations);
      return result.value;
    },
    is(value): value is Static<S> {
      return validator()(value) as boolean;
    },
  };
  registry.set(id, contract);
  return contract;
}

/** Every contract defined so far, in definition order (for JSON Schema export and OpenAPI). */
export function listContracts(): Contract[] {
  return [...registry.values()];
}

/** The range of PostgreSQL's `integer` (int4) columns. */
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/**
 * An integer bound for an `integer` column: a client's 2147483648 or 1e20 (an integer to JSON
 * Schema) is a 400 OUT_OF_RANGE at the contract, not a 500 from PostgreSQL.
 */
export const Int32 = (options: { minimum?: number; maximum?: number; description?: string; default?: number } = {}) =>
  Type.Integer({ minimum: INT32_MIN, maximum: INT32_MAX, ...options });
