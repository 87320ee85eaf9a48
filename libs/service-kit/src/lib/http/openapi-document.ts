import { ErrorCode } from '@mlp/contracts';

/** What `@ApiContract` records of each route it documents, by Swagger's operationId (`Controller_method`). */
export interface DocumentedOperation {
  controller: object;
  handler: object;
  hasBody: boolean;
  /** The body is a file (CSV, NDJSON), not JSON: the kit's JSON parsing errors do not apply. */
  rawBody: boolean;
}
export const documentedOperations = new Map<string, DocumentedOperation>();

const PUBLIC = 'mlp:public';
const SCOPES = 'mlp:scopes';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  requestBody?: unknown;
  security?: unknown[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: { properties?: Record<string, { enum?: string[] }> } }> }>;
}
export interface OpenApiDocument {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  [key: string]: unknown;
}

/** Codes the kit itself answers on a route, whatever its handler does. */
export function kitErrors(op: { isPublic: boolean; hasBody: boolean }): Record<number, string[]> {
  // Every request's path parameters and query string are checked for U+0000 and lone surrogates.
  const errors: Record<number, string[]> = { 400: [ErrorCode.INVALID_CHARACTER] };
  if (!op.isPublic) {
    errors[401] = [ErrorCode.UNAUTHENTICATED];
    errors[403] = [ErrorCode.FORBIDDEN];
  }
  if (op.hasBody) {
    errors[400] = [ErrorCode.MALFORMED_JSON, ErrorCode.NESTING_TOO_DEEP, ErrorCode.INVALID_CHARACTER];
    errors[413] = [ErrorCode.PAYLOAD_TOO_LARGE];
    errors[415] = [ErrorCode.UNSUPPORTED_MEDIA_TYPE];
  }
  return errors;
}

const scopeOf = (d: DocumentedOperation): string | undefined => Reflect.getMetadata(SCOPES, d.handler) ?? Reflect.getMetadata(SCOPES, d.controller);
const isPublic = (d: DocumentedOperation) =>
  Reflect.getMetadata(PUBLIC, d.handler) === true || Reflect.getMetadata(PUBLIC, d.controller) === true;

/**
 * Completes the document Swagger built from the decorators: on every route `@ApiContract`
 * documents, the codes the kit answers (auth, body parsing) are merged into its error responses and
 * the routes that need a token say so (`security`).
 */
export function completeOpenApiDocument<D extends OpenApiDocument>(doc: D, errorSchema: (codes: readonly string[]) => Record<string, unknown>): D {
  for (const path of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const op = path[method];
      // An @All route's operations are named `Controller_method_<verb>`.
      const documented = op?.operationId ? (documentedOperations.get(op.operationId) ?? documentedOperations.get(op.operationId.replace(/_[a-z]+$/, ''))) : undefined;
      if (!op || !documented) continue;
      const open = isPublic(documented);
      if (!open) op.security = [{ bearer: [] }];
      const responses = (op.responses ??= {});
      const codesOf = (status: string) => Object.values(responses[status]?.content ?? {}).flatMap((c) => c.schema?.properties?.['code']?.enum ?? []);
      const kit = kitErrors({ isPublic: open, hasBody: !documented.rawBody && (documented.hasBody || op.requestBody !== undefined) });
      const statuses = new Set([...Object.keys(responses).filter((s) => /^[45]\d\d$/.test(s)), ...Object.keys(kit)]);
      // Errors are always JSON, whatever the success answer's media type.
      const scope = scopeOf(documented);
      for (const status of statuses) {
        const all = [...new Set([...codesOf(status), ...(kit[Number(status)] ?? [])])];
        if (!all.length) continue;
        // The scope stays readable in the 403's description (the console's route table is checked against it).
        const description = status === '403' && scope ? `token lacks scope ${scope} (FORBIDDEN)${all.length > 1 ? `; ${all.join(', ')}` : ''}` : all.join(', ');
        responses[status] = { description, content: { 'application/json': { schema: errorSchema(all) as never } } };
      }
    }
  }
  return doc;
}
