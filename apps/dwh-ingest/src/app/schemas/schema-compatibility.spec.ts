import { findIncompatibilities } from './schema-compatibility';

const base = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 10 }, n: { type: 'integer', minimum: 0 }, plan: { enum: ['a', 'b'] } },
  additionalProperties: false,
};
const withProps = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...base, properties: { ...base.properties, ...props }, ...extra });

describe('backward compatibility of a schema ADDITION', () => {
  it('accepts new optional properties, widened types, bounds and enums', () => {
    expect(findIncompatibilities(base, withProps({ note: { type: 'string' } }))).toEqual([]);
    expect(findIncompatibilities(base, withProps({ n: { type: 'number', minimum: -1 } }))).toEqual([]);
    expect(findIncompatibilities(base, withProps({ id: { type: 'string', maxLength: 20 }, plan: { enum: ['a', 'b', 'c'] } }))).toEqual([]);
    expect(findIncompatibilities(base, withProps({}, { additionalProperties: true }))).toEqual([]);
  });

  it('reports each narrowing with its path', () => {
    expect(findIncompatibilities(base, withProps({}, { required: ['id', 'n'] }))).toEqual([{ path: '$.n', reason: 'becomes required' }]);
    expect(findIncompatibilities(base, withProps({ n: { type: 'string' } }))).toEqual([{ path: '$.n', reason: 'no longer accepts type integer' }]);
    expect(findIncompatibilities(base, withProps({ id: { type: 'string', maxLength: 5 } }))).toEqual([{ path: '$.id', reason: 'lowers maxLength to 5' }]);
    expect(findIncompatibilities(base, withProps({ plan: { enum: ['a'] } }))).toEqual([{ path: '$.plan', reason: 'removes the accepted value "b"' }]);
    expect(findIncompatibilities(base, withProps({ id: { type: 'string', maxLength: 10, pattern: '^x' } }))).toEqual([{ path: '$.id', reason: 'adds or changes pattern' }]);
    const { n: _n, ...rest } = base.properties;
    expect(findIncompatibilities(base, { ...base, properties: rest })).toEqual([{ path: '$.n', reason: 'is removed while additional properties are forbidden' }]);
  });

  it('treats closing an open object as a narrowing, and checks new properties of an open object against anything', () => {
    const open = { type: 'object', properties: { a: { type: 'string' } } };
    expect(findIncompatibilities(open, { ...open, additionalProperties: false })).toEqual([{ path: '$', reason: 'forbids additional properties that were allowed' }]);
    expect(findIncompatibilities(open, { ...open, properties: { ...open.properties, b: { type: 'number' } } })).toEqual([
      { path: '$.b', reason: 'restricts the type to number where any type was allowed' },
    ]);
  });

  it('walks nested objects and array items', () => {
    const prev = { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { q: { type: 'integer' } } } } } };
    const next = { type: 'object', properties: { items: { type: 'array', items: { type: 'object', required: ['q'], properties: { q: { type: 'integer' } } } } } };
    expect(findIncompatibilities(prev, next)).toEqual([{ path: '$.items[*].q', reason: 'becomes required' }]);
  });
});
