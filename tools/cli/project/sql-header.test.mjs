import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitSqlHeader } from './sql-header.mjs';

describe('the /* mlp */ header of a model .sql', () => {
  it('splits the YAML from the SQL and knows on which line each starts', () => {
    const text = '/* mlp\nlayer: marts\nmaterialized: view\n*/\n\nSELECT 1 AS x\n';
    const r = splitSqlHeader(text);
    assert.equal(r.header, 'layer: marts\nmaterialized: view\n');
    assert.equal(r.headerLine, 2);
    assert.equal(r.sql, 'SELECT 1 AS x');
    assert.equal(r.sqlLine, 6);
  });

  it('leaves a file without header alone (an ordinary comment is SQL)', () => {
    const text = '\n/* orders per day */\nSELECT 1\n';
    const r = splitSqlHeader(text);
    assert.equal(r.header, null);
    assert.equal(r.sql, '/* orders per day */\nSELECT 1');
    assert.equal(r.sqlLine, 2);
  });

  it('counts blank lines before the header', () => {
    const r = splitSqlHeader('\n\n/* mlp\nlayer: staging\n*/\nSELECT 2');
    assert.equal(r.headerLine, 4);
    assert.equal(r.sqlLine, 6);
    assert.equal(r.sql, 'SELECT 2');
  });
});
