import { WAREHOUSE_IDENTIFIER_PATTERN } from '@mlp/contracts';

/** A name that may stand for a relation or column of the warehouse (dwh.WarehouseIdentifier). */
export const IDENTIFIER = new RegExp(WAREHOUSE_IDENTIFIER_PATTERN);

/** The identifier double-quoted for SQL text; throws on anything that is not one, whatever validated it before. */
export function quoteIdentifier(id: string): string {
  if (!IDENTIFIER.test(id)) throw new Error(`not an identifier: ${id}`);
  return `"${id}"`;
}

/** `<field> <value> is not an identifier` for each named value that is not one (an absent one neither). */
export function identifierProblems(named: ReadonlyArray<readonly [string, unknown]>): string[] {
  return named.filter(([, v]) => typeof v !== 'string' || !IDENTIFIER.test(v)).map(([f, v]) => `${f} ${JSON.stringify(v)} is not an identifier`);
}
