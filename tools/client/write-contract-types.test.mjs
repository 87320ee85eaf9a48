import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printType } from './write-contract-types.mjs';

test('prints the TypeBox shapes the contracts use as the types Static<> gives', () => {
  const schema = {
    type: 'object',
    required: ['id', 'kind', 'tags', 'rows'],
    properties: {
      id: { type: 'string' },
      kind: { anyOf: [{ const: 'a', type: 'string' }, { const: 'b', type: 'string' }] },
      score: { anyOf: [{ type: 'number' }, { type: 'null' }] },
      tags: { type: 'object', patternProperties: { '^.*$': { type: 'integer' } } },
      rows: { type: 'array', items: { type: 'boolean' } },
      'odd-key': { type: 'object', properties: {}, additionalProperties: { type: 'string' } },
    },
    additionalProperties: false,
  };
  assert.equal(
    printType(schema),
    ['{', '  id: string;', '  kind: "a" | "b";', '  score?: number | null;', '  tags: { [key: string]: number };', '  rows: Array<boolean>;', '  "odd-key"?: {', '    [key: string]: string;', '  };', '}'].join('\n'),
  );
  assert.equal(printType({}), 'unknown');
  assert.throws(() => printType({ type: 'bigint' }), /cannot print/);
});
