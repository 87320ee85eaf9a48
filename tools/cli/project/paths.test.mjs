import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPath, parsePath } from './paths.mjs';

describe('document paths', () => {
  it('reads the paths services send in violations', () => {
    assert.deepEqual(parsePath('$.models[3].sql'), ['models', 3, 'sql']);
    assert.deepEqual(parsePath('models[3].tests[0].column'), ['models', 3, 'tests', 0, 'column']);
    assert.deepEqual(parsePath('/feature_views/2/source/sql'), ['feature_views', 2, 'source', 'sql']);
    assert.deepEqual(parsePath('$["odd key"][1]'), ['odd key', 1]);
    assert.deepEqual(parsePath('$'), []);
  });

  it('writes them for people', () => {
    assert.equal(formatPath(['tests', 1, 'column']), 'tests[1].column');
    assert.equal(formatPath([]), '');
    assert.equal(formatPath(['tags', 'a b']), 'tags["a b"]');
    assert.equal(formatPath(parsePath('$.models[3].sql')), 'models[3].sql');
  });
});
