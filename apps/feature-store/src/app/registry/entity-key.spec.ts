import { checkEntityDefinition, encodeEntityKey, entityJoinKeys, entityKeySql } from './entity-key';

describe('entity keys', () => {
  it('keeps a single key as its text and length-prefixes composite keys so tuples never collide', () => {
    expect(encodeEntityKey(['u1'])).toBe('u1');
    expect(encodeEntityKey([42])).toBe('42');
    expect(encodeEntityKey(['a:b', 'c'])).toBe('3:a:b1:c');
    expect(encodeEntityKey(['a', 'b:c'])).toBe('1:a3:b:c');
    expect(encodeEntityKey(['', 'ab'])).not.toBe(encodeEntityKey(['a', 'b']));
    // Lengths in UTF-8 bytes, as PostgreSQL's octet_length counts them.
    expect(encodeEntityKey(['ü', 'm'])).toBe('2:ü1:m');
  });

  it('accepts join_key or join_keys, not both or neither', () => {
    expect(entityJoinKeys({ name: 'e', join_key: 'user_id', value_type: 'string' })).toEqual(['user_id']);
    expect(entityJoinKeys({ name: 'e', join_keys: ['user_id', 'merchant_id'], value_type: 'string' })).toEqual(['user_id', 'merchant_id']);
    expect(() => checkEntityDefinition({ name: 'e', value_type: 'string' })).toThrow(expect.objectContaining({ code: 'INVALID_ENTITY' }));
    expect(() => checkEntityDefinition({ name: 'e', join_key: 'a', join_keys: ['a'], value_type: 'string' })).toThrow(expect.objectContaining({ code: 'INVALID_ENTITY' }));
    expect(() => checkEntityDefinition({ name: 'e', join_keys: ['a', 'event_timestamp'], value_type: 'string' })).toThrow(expect.objectContaining({ code: 'INVALID_ENTITY' }));
  });

  it('builds the same encoding in SQL from quoted identifiers only', () => {
    expect(entityKeySql('s', ['user_id'])).toBe('(s."user_id")::text');
    expect(entityKeySql('r', ['a', 'b'])).toBe(`octet_length((r."a")::text)::text || ':' || (r."a")::text || octet_length((r."b")::text)::text || ':' || (r."b")::text`);
    expect(() => entityKeySql('s', ['a"; DROP TABLE x; --'])).toThrow();
  });
});
