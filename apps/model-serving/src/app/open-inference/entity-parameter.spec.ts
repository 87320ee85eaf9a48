import { PlatformError } from '@mlp/runtime';
import { entityRows, parseEntityParameter } from './entity-parameter';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return [(err as PlatformError).status, (err as PlatformError).code, (err as PlatformError).details[0]?.path];
  }
  return 'no error';
};

describe('parameters.entity of a V2 infer request', () => {
  it('gives each row its entity: a single value for every row, a list one value per row', () => {
    const columns = parseEntityParameter({ sticky_key: 'x', entity: { colour_id: ['c-1', 'c-2', 'c-3'], shop: 7 } });
    expect(entityRows(columns ?? [], 3)).toEqual([
      { colour_id: 'c-1', shop: 7 },
      { colour_id: 'c-2', shop: 7 },
      { colour_id: 'c-3', shop: 7 },
    ]);
    expect(entityRows(parseEntityParameter({ entity: { colour_id: 'c-17' } }) ?? [], 1)).toEqual([{ colour_id: 'c-17' }]);
  });

  it('is absent when the request names no entity', () => {
    expect(parseEntityParameter(undefined)).toBeUndefined();
    expect(parseEntityParameter({ sticky_key: 'u1' })).toBeUndefined();
  });

  it('refuses keys that are not identifiers and values that are not strings or finite numbers, naming where', () => {
    const cases: Array<[unknown, string]> = [
      ['c-1', '$.parameters.entity'],
      [['c-1'], '$.parameters.entity'],
      [{}, '$.parameters.entity'],
      [{ 'Colour-Id': 'c' }, '$.parameters.entity.Colour-Id'],
      [{ a: true }, '$.parameters.entity.a'],
      [{ a: null }, '$.parameters.entity.a'],
      [{ a: { nested: 1 } }, '$.parameters.entity.a'],
      [{ a: '' }, '$.parameters.entity.a'],
      [{ a: 'x'.repeat(257) }, '$.parameters.entity.a'],
      [{ a: [] }, '$.parameters.entity.a'],
      [{ a: ['ok', 2, false] }, '$.parameters.entity.a[2]'],
      [Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i])), '$.parameters.entity'],
    ];
    for (const [entity, path] of cases) expect([entity, codeOf(() => parseEntityParameter({ entity }))]).toEqual([entity, [400, 'INVALID_ENTITY', path]]);
  });

  it('refuses a list whose length is not the batch size', () => {
    const columns = parseEntityParameter({ entity: { colour_id: ['c-1', 'c-2'] } }) ?? [];
    expect(codeOf(() => entityRows(columns, 3))).toEqual([400, 'ENTITY_ROWS_MISMATCH', '$.parameters.entity.colour_id']);
  });
});
