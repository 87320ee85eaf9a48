import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiResponse } from '@nestjs/swagger';
import { ErrorResponse, type Contract } from '@mlp/contracts';
import { documentedOperations } from './openapi-document';

/** The error codes a route answers, by HTTP status: `{ 404: ['MODEL_NOT_FOUND'], 409: ['CONFLICT'] }`. */
export type ApiErrors = Partial<Record<number, readonly string[]>>;

export interface ApiContractOptions {
  /** The request body's contract. */
  body?: Contract;
  /** The success answer's contract. */
  response?: Contract;
  /** The success status (200 unless given). */
  status?: number;
  /** A few words: what the operation does ("Register a model version"). */
  summary?: string;
  /** What it does, when to use it, the semantics a caller relies on (Markdown). */
  description?: string;
  /**
   * The codes this handler answers besides success. The kit adds the ones every route can answer
   * (401/403 on routes that need a token; body parsing errors on routes with a JSON body).
   */
  errors?: ApiErrors;
  /** A real success answer (copied from a running service or an integration test's assertion). */
  example?: unknown;
  /** Request headers the route reads (lower-case names, as `@Headers()` declares them). */
  headers?: Record<string, { required?: boolean; description: string }>;
  /** The success answer's media types when it is not JSON (a CSV or NDJSON stream). */
  produces?: string[];
  /** What each path parameter names. */
  params?: Record<string, string>;
  /** A body that is not JSON (a file upload): its media types and what it holds. */
  rawBody?: { mediaTypes: string[]; description: string };
}

/** The platform's error body, with `code` limited to the codes a response can carry. */
export function errorSchema(codes: readonly string[]): Record<string, unknown> {
  const schema = structuredClone(ErrorResponse.jsonSchema) as { properties: Record<string, unknown>; $id?: string };
  delete schema.$id;
  schema.properties['code'] = { type: 'string', enum: [...codes], description: 'Machine-readable code' };
  return schema;
}

/**
 * Documents a route in one decorator: its body and answer with the contracts' own JSON Schemas, a
 * summary and description, its error codes by status, and a real example answer. The check
 * (tools/docs/check-openapi.mjs) fails on an operation without summary, description or errors.
 */
export function ApiContract(options: ApiContractOptions): MethodDecorator {
  const status = options.status ?? 200;
  const decorators: MethodDecorator[] = [];
  if (options.summary || options.description) decorators.push(ApiOperation({ summary: options.summary, description: options.description }));
  if (options.errors) {
    for (const [code, codes] of Object.entries(options.errors)) {
      if (!codes?.length) continue;
      decorators.push(ApiResponse({ status: Number(code), description: codes.join(', '), schema: errorSchema(codes) }));
    }
  } else {
    decorators.push(ApiBadRequestResponse({ description: 'invalid input', schema: ErrorResponse.jsonSchema }));
  }
  if (options.body) decorators.push(ApiBody({ schema: options.body.jsonSchema }));
  if (options.rawBody) {
    decorators.push(ApiConsumes(...options.rawBody.mediaTypes), ApiBody({ description: options.rawBody.description, schema: { type: 'string' } }));
  }
  for (const [name, description] of Object.entries(options.params ?? {})) decorators.push(ApiParam({ name, description, type: String }));
  for (const [name, header] of Object.entries(options.headers ?? {})) {
    decorators.push(ApiHeader({ name, required: header.required ?? false, description: header.description, schema: { type: 'string' } }));
  }
  if (options.produces) decorators.push(ApiProduces(...options.produces));
  if (options.response || options.example !== undefined) {
    decorators.push(
      ApiResponse({
        status,
        description: options.response ? options.response.id : 'success',
        ...(options.response ? { schema: options.response.jsonSchema } : {}),
        ...(options.example !== undefined ? { example: options.example } : {}),
      } as Parameters<typeof ApiResponse>[0]),
    );
  }
  const apply = applyDecorators(...decorators);
  return (target, key, descriptor) => {
    apply(target, key, descriptor);
    documentedOperations.set(`${(target as { constructor: { name: string } }).constructor.name}_${String(key)}`, {
      controller: (target as { constructor: object }).constructor,
      handler: descriptor.value as unknown as object,
      hasBody: Boolean(options.body),
      rawBody: Boolean(options.rawBody),
    });
  };
}
