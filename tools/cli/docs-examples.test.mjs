// The examples of docs/projects.md are a valid project: each example file (a block whose first
// line names it, or the /* mlp */ header example) is written out and checked like `mlp validate`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkProject } from './project/check-project.mjs';
import { formatProblem } from './project/origins.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

it('the examples in docs/projects.md validate', () => {
  const text = fs.readFileSync(path.join(root, 'docs/projects.md'), 'utf8');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-docs-'));
  const written = [];
  for (const m of text.matchAll(/```(yaml|sql)\n([\s\S]*?)```/g)) {
    const body = m[2];
    const named = /^(?:#|--) ((?:mlp\.yaml)|(?:(?:sources|models|features|training|kpis)\/[\w.-]+))\n/.exec(body);
    const file = named ? named[1] : body.startsWith('/* mlp\n') ? 'models/stg_orders.sql' : null;
    if (!file) continue;
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), body);
    written.push(file);
  }
  assert.deepEqual(written.sort(), [
    'features/customers.yaml',
    'kpis/orders_per_day.yaml',
    'mlp.yaml',
    'models/mart_customer_orders.sql',
    'models/mart_customer_orders.yaml',
    'models/stg_orders.sql',
    'sources/orders.yaml',
    'sources/web-events.yaml',
    'training/repeat_order.yaml',
  ]);
  const project = checkProject(dir);
  assert.deepEqual(project.errors.map(formatProblem), []);
  assert.equal(project.models.length, 2);
  assert.equal(project.outcomes.length, 1);
  fs.rmSync(dir, { recursive: true, force: true });
});
