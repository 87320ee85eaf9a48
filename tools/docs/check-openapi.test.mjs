// The docs check (CI runs `node tools/docs/check-openapi.mjs`): what it calls undocumented, and that
// it reads the services' real documents.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { examplesOffSchema, openApiDocument, undocumentedOperations } from './check-openapi.mjs';

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

  it('refuses an example that is not a valid answer of its own response schema', () => {
    const schema = { type: 'object', required: ['version', 'sha256'], properties: { version: { type: 'integer' }, sha256: { type: 'string' } } };
    const withExample = (example) => ({ responses: { 200: { description: 'ok', content: { 'application/json': { schema: { $id: 'x.Version', ...schema }, example } } } } });
    const doc = { paths: { '/v1/good': { get: withExample({ version: 3, sha256: 'ab' }) }, '/v1/short': { get: withExample({ version: 3 }) }, '/v1/wrong': { post: withExample({ version: '3', sha256: 'ab' }) } } };
    assert.deepEqual(
      examplesOffSchema(doc).map((p) => p.operation),
      ['GET /v1/short 200 application/json', 'POST /v1/wrong 200 application/json'],
    );
    assert.match(examplesOffSchema(doc)[0].errors, /sha256/);
  });

  it('the trainer documents examples that are valid answers (the artifact example is a whole artifact)', async () => {
    assert.deepEqual(examplesOffSchema(await openApiDocument('trainer')), []);
  });

  it("reads a service's real document: the kit's codes merged in, public routes open, every operation documented", async () => {
    const doc = await openApiDocument('model-serving');
    const redeliver = doc.paths['/v1/platform/webhooks/dead-letters/redeliver'].post;
    assert.equal(redeliver.operationId, 'WebhooksController_redeliver');
    assert.deepEqual(redeliver.responses['401'].content['application/json'].schema.properties.code.enum, ['UNAUTHENTICATED']);
    assert.deepEqual(redeliver.responses['404'].content['application/json'].schema.properties.code.enum, ['RECEIVER_NOT_FOUND']);
    assert.ok(redeliver.responses['400'].content['application/json'].schema.properties.code.enum.includes('MALFORMED_JSON'));
    assert.deepEqual(redeliver.security, [{ bearer: [] }]);
    const live = doc.paths['/v2/health/live'].get;
    assert.equal(live.security, undefined);
    assert.equal(live.responses['401'], undefined);
    assert.deepEqual(undocumentedOperations(doc), []);
    assert.deepEqual(examplesOffSchema(doc), []);
  });

  it('dwh-ingest imports: Idempotency-Key is optional and the source is any declared source, as the README says', async () => {
    const op = (await openApiDocument('dwh-ingest')).paths['/v1/imports/{source}'].post;
    const param = (name) => op.parameters.find((p) => p.name === name);
    assert.equal(param('idempotency-key').required, false);
    assert.deepEqual(param('source').schema, { type: 'string' });
    assert.deepEqual(Object.keys(op.requestBody.content).sort(), ['application/x-ndjson', 'text/csv']);
    assert.deepEqual(op.responses['409'].content['application/json'].schema.properties.code.enum, ['IDEMPOTENCY_KEY_REUSED']);
  });
});
