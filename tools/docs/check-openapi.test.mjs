// The docs check (CI runs `node tools/docs/check-openapi.mjs`): what it calls undocumented, and that
// it reads the services' real documents.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, openApiDocument, undocumentedOperations } from './check-openapi.mjs';

const coded = (codes) => ({ description: codes.join(', '), content: { 'application/json': { schema: { properties: { code: { enum: codes } } } } } });
const documented = {
  summary: 'Register a model version',
  description: 'Stores the version and moves no alias.',
  responses: { 201: { description: 'ok', content: { 'application/json': { example: { version: 3 } } } }, 404: coded(['MODEL_NOT_FOUND']) },
};

describe('check-openapi', () => {
  it('passes a documented operation and names what each other one lacks', () => {
    const doc = {
      paths: {
        '/v1/models/{name}/versions': { post: documented, get: { summary: ' ', responses: { 200: { description: 'ok' }, 400: { description: 'invalid input' } } } },
        '/v1/things': { delete: { ...documented, responses: { 200: documented.responses[201] } } },
      },
    };
    assert.deepEqual(undocumentedOperations(doc), [
      { operation: 'GET /v1/models/{name}/versions', missing: ['summary', 'description', 'error responses with codes', 'example answer'] },
      { operation: 'DELETE /v1/things', missing: ['error responses with codes'] },
    ]);
  });

  it('tolerates pending operations, fails new ones, and fails a pending entry once it is documented', () => {
    const problems = { trainer: [{ operation: 'GET /a', missing: ['summary'] }, { operation: 'GET /b', missing: ['summary'] }] };
    const { failures, tolerated, stale } = judge(problems, { trainer: ['GET /a', 'GET /c'] });
    assert.deepEqual(failures.map((f) => f.operation), ['GET /b']);
    assert.deepEqual(tolerated.map((f) => f.operation), ['GET /a']);
    assert.deepEqual(stale, [{ app: 'trainer', operation: 'GET /c' }]);
  });

  it("reads a service's real document, with the kit's codes merged into a documented route", async () => {
    const doc = await openApiDocument('trainer');
    const op = doc.paths['/v1/platform/webhooks/dead-letters/redeliver'].post;
    assert.equal(op.operationId, 'WebhooksController_redeliver');
    assert.deepEqual(op.responses['401'].content['application/json'].schema.properties.code.enum, ['UNAUTHENTICATED']);
    assert.deepEqual(op.security, [{ bearer: [] }]);
  });
});
