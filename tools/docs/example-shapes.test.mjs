// What the example-vs-answer comparison reports (tools/e2e/projects.test.mjs runs it on real answers).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { documentedExample, shapeDifferences } from './example-shapes.mjs';

describe('example shapes', () => {
  it('names the keys the example lacks or invents and the types it gets wrong, down arrays and objects', () => {
    const example = { name: 'warm_colour', version: 1, aliases: { champion: 1 }, versions: [{ version: 1, spec: { ttl: 60 } }], extra: true };
    const answer = { name: 'warm_colour', version: '1', aliases: { champion: 1, challenger: null }, versions: [{ version: 1, spec: { ttl: 60, online: true } }] };
    assert.deepEqual(shapeDifferences(example, answer), [
      '$.extra: in the example, not in the answer',
      '$.version: the example has number, the answer string',
      '$.aliases.challenger: in the answer, not in the example',
      '$.versions[0].spec.online: in the answer, not in the example',
    ]);
  });

  it('lets null stand for any value and compares records by their values', () => {
    assert.deepEqual(shapeDifferences({ at: null, v: { colour_rgb: 1 } }, { at: '2026-01-01', v: { other_view: 2 } }, { records: ['$.v'] }), []);
    assert.deepEqual(shapeDifferences({ v: { colour_rgb: 1 } }, { v: { other_view: 'x' } }, { records: ['$.v'] }), ['$.v.other_view: the example has number, the answer string']);
  });

  it("reads an operation's documented success example", () => {
    const doc = { paths: { '/v1/x': { get: { responses: { 400: { content: { 'application/json': { example: { code: 'X' } } } }, 200: { content: { 'application/json': { example: { ok: true } } } } } } } } };
    assert.deepEqual(documentedExample(doc, 'GET', '/v1/x'), { ok: true });
    assert.equal(documentedExample(doc, 'GET', '/v1/y'), undefined);
  });
});
