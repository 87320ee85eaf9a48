import assert from 'node:assert/strict';
import { it } from 'node:test';
import { table } from './output.mjs';

it('aligns table columns, numbers to the right, missing values as -', () => {
  assert.equal(
    table(['model', 'rows', 'status'], [
      ['stg_orders', 1200, 'built'],
      ['mart_customer_orders', 7, null],
    ]),
    ['model                 rows  status', 'stg_orders            1200  built', 'mart_customer_orders     7  -'].join('\n'),
  );
});
