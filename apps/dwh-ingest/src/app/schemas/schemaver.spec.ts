import { classifyChange, compareSchemaVer, parseSchemaVer as parseOrUndefined } from './schemaver';

const parseSchemaVer = (v: string) => {
  const parsed = parseOrUndefined(v);
  if (!parsed) throw new Error(`not SchemaVer: ${v}`);
  return parsed;
};

describe('SchemaVer', () => {
  it('parses MODEL-REVISION-ADDITION and refuses anything else', () => {
    expect(parseSchemaVer('2-1-3')).toEqual({ model: 2, revision: 1, addition: 3 });
    for (const bad of ['0-1-0', '1.0.0', '1-0', '1-0-0-0', 'a-b-c', '01-0-0']) expect(parseOrUndefined(bad)).toBeUndefined();
  });

  it('orders versions by model, then revision, then addition (numerically)', () => {
    const sorted = ['1-0-10', '2-0-0', '1-1-0', '1-0-2'].map((v) => parseSchemaVer(v)).sort(compareSchemaVer);
    expect(sorted.map((v) => `${v.model}-${v.revision}-${v.addition}`)).toEqual(['1-0-2', '1-0-10', '1-1-0', '2-0-0']);
  });

  it('classifies only the immediate successors and explains a gap', () => {
    const latest = parseSchemaVer('1-2-3');
    expect(classifyChange(undefined, parseSchemaVer('1-0-0'))).toEqual({ change: 'initial' });
    expect(classifyChange(undefined, parseSchemaVer('1-0-1'))).toHaveProperty('error');
    expect(classifyChange(latest, parseSchemaVer('1-2-4'))).toEqual({ change: 'addition' });
    expect(classifyChange(latest, parseSchemaVer('1-3-0'))).toEqual({ change: 'revision' });
    expect(classifyChange(latest, parseSchemaVer('2-0-0'))).toEqual({ change: 'model' });
    expect(classifyChange(latest, parseSchemaVer('1-2-5'))).toEqual({ error: expect.stringContaining('1-2-4 (addition)') });
    expect(classifyChange(latest, parseSchemaVer('1-2-3'))).toHaveProperty('error');
  });
});
