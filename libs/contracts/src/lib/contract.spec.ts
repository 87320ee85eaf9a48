import { Type } from '@sinclair/typebox';
import { ContractViolation, defineContract, toJsonPath, ViolationCode } from './contract';
import { defineEvent, defineMessage, findEvent, listMessages, maySend, transportSubjects } from './transport';

const Order = defineContract(
  'spec.Order',
  Type.Object(
    {
      order_id: Type.String({ minLength: 1 }),
      revenue: Type.Number({ minimum: 0 }),
      currency: Type.Union([Type.Literal('EUR'), Type.Literal('USD')]),
      placed_at: Type.String({ format: 'date-time' }),
      items: Type.Array(Type.Object({ sku: Type.String() }, { additionalProperties: false })),
    },
    { additionalProperties: false },
  ),
);

describe('a contract derives type, validator and JSON Schema from one schema', () => {
  it('accepts a valid value and returns it typed', () => {
    const value = { order_id: 'o1', revenue: 12.5, currency: 'EUR', placed_at: '2026-01-02T03:04:05Z', items: [{ sku: 'a' }] };
    expect(Order.parse(value)).toBe(value);
    expect(Order.is(value)).toBe(true);
  });

  it('reports every violation with a code and a JSON path', () => {
    const result = Order.validate({ revenue: '12', currency: 'GBP', placed_at: 'yesterday', items: [{ sku: 1, x: 2 }], extra: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byPath = Object.fromEntries(result.violations.map((v) => [v.path, v.code]));
    expect(byPath).toMatchObject({
      '$.order_id': ViolationCode.REQUIRED_MISSING,
      '$.revenue': ViolationCode.DATATYPE_MISMATCH,
      '$.currency': ViolationCode.ACCEPTED_VALUES,
      '$.placed_at': ViolationCode.FORMAT_MISMATCH,
      '$.items[0].sku': ViolationCode.DATATYPE_MISMATCH,
      '$.items[0].x': ViolationCode.ADDITIONAL_PROPERTIES,
      '$.extra': ViolationCode.ADDITIONAL_PROPERTIES,
    });
  });

  it('throws a ContractViolation from parse', () => {
    expect(() => Order.parse({})).toThrow(ContractViolation);
  });

  it('exposes plain JSON Schema without TypeBox internals', () => {
    expect(Order.jsonSchema).toMatchObject({ $id: 'spec.Order', type: 'object', additionalProperties: false });
    expect(JSON.stringify(Order.jsonSchema)).not.toContain('TypeBox');
    expect(Object.getOwnPropertySymbols(Order.jsonSchema)).toEqual([]);
  });

  it('refuses two contracts with one id', () => {
    expect(() => defineContract('spec.Order', Type.Object({}))).toThrow(/defined twice/);
  });

  it('quotes path segments that are not identifiers', () => {
    expect(toJsonPath('/properties/weird key/0')).toBe('$.properties["weird key"][0]');
  });
});

describe('message patterns', () => {
  it('are versioned constants registered once', () => {
    const m = defineMessage('spec.echo.v1', Type.Object({ a: Type.String() }), Type.Object({ b: Type.String() }), 'echo');
    expect(m.pattern).toBe('spec.echo.v1');
    expect(listMessages()).toContain(m);
    expect(() => defineMessage('spec.echo.v1', Type.Object({}), Type.Object({}), 'again')).toThrow(/defined twice/);
    expect(() => defineMessage('SpecEcho', Type.Object({}), Type.Object({}), 'bad')).toThrow(/must look like/);
  });

  it('events carry their consumers and can be found by pattern', () => {
    const e = defineEvent('spec.happened.v1', Type.Object({ id: Type.String() }), 'it happened', ['trainer']);
    expect(findEvent('spec.happened.v1')).toBe(e);
    expect(e.consumers).toEqual(['trainer']);
    expect(findEvent('spec.echo.v1')).toBeUndefined();
  });

  it('let only an event\'s producer and a message\'s owner or declared callers send it', () => {
    defineEvent('spec-owned.changed.v1', Type.Object({}), 'changed', ['spec-b'], { producer: 'spec-a' });
    defineMessage('spec-b.lookup.v1', Type.Object({}), Type.Object({}), 'lookup', { callers: ['spec-a'] });
    defineMessage('spec-b.open.v1', Type.Object({}), Type.Object({}), 'fixture without callers');
    expect([maySend('spec-a', 'spec-owned.changed.v1'), maySend('spec-b', 'spec-owned.changed.v1')]).toEqual([true, false]);
    expect([maySend('spec-a', 'spec-b.lookup.v1'), maySend('spec-b', 'spec-b.lookup.v1'), maySend('spec-c', 'spec-b.lookup.v1')]).toEqual([true, true, false]);
    expect(maySend('spec-c', 'spec-b.open.v1')).toBe(true);
    expect(maySend('spec-a', 'spec-nobody.registered.v1')).toBe(false);
  });

  it('give each service the NATS subjects of what it owns, calls and consumes, and its own reply inbox', () => {
    expect(transportSubjects('spec-a')).toEqual({
      publish: ['spec-b.lookup.v1', 'spec-owned.changed.v1'],
      subscribe: ['_INBOX.spec-a.>'],
    });
    expect(transportSubjects('spec-b')).toEqual({
      publish: ['spec-b.lookup.v1', 'spec-b.open.v1'],
      subscribe: ['_INBOX.spec-b.>', 'spec-b.lookup.v1', 'spec-b.open.v1', 'spec-owned.changed.v1'],
    });
  });
});
