import { outboxMigration } from './outbox-migration';

describe('outboxMigration', () => {
  it('keeps the name each service recorded its outbox migration under', () => {
    expect(new (outboxMigration('registry', 1764000000000))().name).toBe('Outbox1764000000000');
  });

  it('refuses a schema name that is not a plain identifier before it reaches SQL', () => {
    expect(() => outboxMigration('dwh"; DROP TABLE x; --', 1)).toThrow(/invalid schema name/);
    expect(() => outboxMigration('Dwh', 1)).toThrow(/invalid schema name/);
  });
});
