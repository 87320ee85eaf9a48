import 'reflect-metadata';
import { Controller, Get, Post } from '@nestjs/common';
import { ApiContract, errorSchema } from './api-contract';
import { Public, RequireScope } from './auth';
import { completeOpenApiDocument, type OpenApiDocument } from './openapi-document';

@Controller('docs-test')
class DocsTestController {
  @Post('things')
  @RequireScope('things:write')
  @ApiContract({ summary: 'Make a thing', errors: { 400: ['THING_INVALID'], 409: ['THING_EXISTS'] }, example: { id: 1 } })
  make() {
    return { id: 1 };
  }

  @Get('open')
  @Public()
  @ApiContract({ summary: 'Open', errors: {}, example: { ok: true } })
  open() {
    return { ok: true };
  }

  @Post('upload')
  @ApiContract({ summary: 'Upload', rawBody: { mediaTypes: ['text/csv'], description: 'a file' }, errors: { 415: ['UNSUPPORTED_MEDIA_TYPE'] }, example: {} })
  upload() {
    return {};
  }
}
void DocsTestController;

const coded = (codes: string[]) => ({ description: codes.join(', '), content: { 'application/json': { schema: errorSchema(codes) as never } } });
const codesOf = (doc: OpenApiDocument, path: string, method: 'get' | 'post', status: string) =>
  (doc.paths[path][method]?.responses?.[status]?.content?.['application/json']?.schema as { properties: { code: { enum: string[] } } } | undefined)?.properties.code.enum;

describe('completeOpenApiDocument', () => {
  const doc = (): OpenApiDocument => ({
    paths: {
      '/docs-test/things': { post: { operationId: 'DocsTestController_make', requestBody: {}, responses: { 400: coded(['THING_INVALID']), 409: coded(['THING_EXISTS']) } } },
      '/docs-test/open': { get: { operationId: 'DocsTestController_open', responses: {} } },
      '/docs-test/upload': { post: { operationId: 'DocsTestController_upload', requestBody: {}, responses: { 415: coded(['UNSUPPORTED_MEDIA_TYPE']) } } },
      '/docs-test/undocumented': { get: { operationId: 'Nobody_knows', responses: {} } },
    },
  });

  it("merges the kit's codes into the handler's: auth on routes that need a token, JSON parsing on JSON bodies", () => {
    const d = completeOpenApiDocument(doc(), errorSchema);
    expect(codesOf(d, '/docs-test/things', 'post', '400')).toEqual(['THING_INVALID', 'MALFORMED_JSON', 'NESTING_TOO_DEEP', 'INVALID_CHARACTER']);
    expect(codesOf(d, '/docs-test/things', 'post', '409')).toEqual(['THING_EXISTS']);
    expect(codesOf(d, '/docs-test/things', 'post', '401')).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(d, '/docs-test/things', 'post', '413')).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(d.paths['/docs-test/things'].post?.security).toEqual([{ bearer: [] }]);
    expect(d.paths['/docs-test/things'].post?.responses?.['403']?.description).toBe('token lacks scope things:write (FORBIDDEN)');
  });

  it('leaves public routes without auth codes or security, and file uploads without JSON parsing codes', () => {
    const d = completeOpenApiDocument(doc(), errorSchema);
    expect(Object.keys(d.paths['/docs-test/open'].get?.responses ?? {})).toEqual(['400']);
    expect(d.paths['/docs-test/open'].get?.security).toBeUndefined();
    expect(codesOf(d, '/docs-test/upload', 'post', '400')).toEqual(['INVALID_CHARACTER']);
    expect(codesOf(d, '/docs-test/upload', 'post', '413')).toBeUndefined();
  });

  it('does not touch a route @ApiContract does not document (the docs check reports it)', () => {
    const d = completeOpenApiDocument(doc(), errorSchema);
    expect(d.paths['/docs-test/undocumented'].get?.responses).toEqual({});
  });
});
