import { identifierProblems, quoteIdentifier } from './identifiers';

describe('identifiers that reach SQL text', () => {
  it('quotes a lower-case name of at most 63 characters', () => {
    expect(quoteIdentifier('mart_orders')).toBe('"mart_orders"');
    expect(quoteIdentifier('_x1')).toBe('"_x1"');
    expect(quoteIdentifier('a'.repeat(63))).toBe(`"${'a'.repeat(63)}"`);
  });

  it('refuses anything else rather than quote it', () => {
    for (const bad of ['', 'Orders', '1x', 'a-b', 'a"b', 'a b', 'a'.repeat(64), 'x\u0000', 'dwh.x']) expect(() => quoteIdentifier(bad)).toThrow(/not an identifier/);
  });

  it('names every value that is not an identifier, an absent or non-text one too', () => {
    expect(identifierProblems([['keys[0]', 'id'], ['keys[1]', 'A'], ['label_column', undefined], ['x', 7]])).toEqual([
      'keys[1] "A" is not an identifier',
      'label_column undefined is not an identifier',
      'x 7 is not an identifier',
    ]);
  });
});
