// The committed project file schemas are what the contracts give (CI also runs
// `node tools/cli/write-project-schemas.mjs --check`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { literalUnionsToEnums } from './schema-transforms.mjs';
import { compareWithCommitted, PROJECT_SCHEMAS_DIR, renderProjectSchemas } from './write-project-schemas.mjs';

describe('project file schemas', () => {
  const rendered = renderProjectSchemas();

  it('the committed files are what the contracts give', () => {
    assert.deepEqual(compareWithCommitted(rendered), []);
    assert.deepEqual(Object.keys(rendered).sort(), ['events.schema.json', 'features.schema.json', 'kpi.schema.json', 'mlp.schema.json', 'model.schema.json', 'source.schema.json', 'training.schema.json']);
  });

  it('--check notices a stale, missing or extra file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-schemas-'));
    for (const [name, text] of Object.entries(rendered)) fs.writeFileSync(path.join(dir, name), text);
    assert.deepEqual(compareWithCommitted(rendered, dir), []);
    fs.writeFileSync(path.join(dir, 'kpi.schema.json'), '{}\n');
    fs.rmSync(path.join(dir, 'mlp.schema.json'));
    fs.writeFileSync(path.join(dir, 'old.schema.json'), '{}\n');
    assert.deepEqual(compareWithCommitted(rendered, dir).sort(), ['kpi.schema.json differs', 'mlp.schema.json is missing', 'old.schema.json is not generated any more']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('derives the files from the contracts: a model config is the model definition without name and sql', () => {
    const model = JSON.parse(rendered['model.schema.json']);
    assert.equal(model.properties.name, undefined);
    assert.equal(model.properties.sql, undefined);
    assert.deepEqual(model.required, ['layer', 'materialized']);
    assert.deepEqual(model.properties.materialized.enum, ['view', 'table', 'incremental']);
    const training = JSON.parse(rendered['training.schema.json']);
    assert.equal(training.properties.outcome.properties.model, undefined);
    assert.ok(training.required.includes('featureService'));
    assert.ok(fs.existsSync(PROJECT_SCHEMAS_DIR));
  });

  it('turns unions of literals into enums and leaves other unions alone', () => {
    assert.deepEqual(literalUnionsToEnums({ description: 'd', anyOf: [{ const: 'a', type: 'string' }, { const: 'b', type: 'string' }] }), { description: 'd', type: 'string', enum: ['a', 'b'] });
    const objects = { anyOf: [{ type: 'object', properties: { kind: { const: 'x', type: 'string' } } }, { type: 'string' }] };
    assert.deepEqual(literalUnionsToEnums(objects), objects);
  });
});
