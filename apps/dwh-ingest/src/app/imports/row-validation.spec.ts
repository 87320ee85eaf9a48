import { copyLine } from '../warehouse/copy-text';
import { validateRecord, type ImportColumn } from './row-validation';

const columns: ImportColumn[] = [
  { name: 'date', type: 'date', required: true },
  { name: 'country', type: 'text', required: true, pattern: '^[A-Z]{2}$' },
  { name: 'channel', type: 'text', required: true, max_length: 64 },
  { name: 'spend', type: 'numeric', required: true, minimum: 0 },
];

describe('import row validation', () => {
  it('returns values in column order for a good row', () => {
    expect(validateRecord(columns, { spend: 12.5, channel: 'tv', country: 'DE', date: '2026-11-01' }, true)).toEqual({ values: ['2026-11-01', 'DE', 'tv', '12.5'] });
  });

  it('reports bad dates, types, patterns, ranges and unknown keys with codes', () => {
    const out = validateRecord(columns, { date: '2026-02-29', country: 'Germany', channel: 7, spend: '1e3', extra: 1 }, true);
    expect('violations' in out && out.violations.map((v) => [v.path, v.code])).toEqual([
      ['$.date', 'DATATYPE_MISMATCH'],
      ['$.country', 'PATTERN_MISMATCH'],
      ['$.channel', 'DATATYPE_MISMATCH'],
      ['$.spend', 'DATATYPE_MISMATCH'],
      ['$.extra', 'ADDITIONAL_PROPERTIES'],
    ]);
    const negative = validateRecord(columns, { date: '2024-02-29', country: 'DE', channel: 'x', spend: '-1' }, false);
    expect('violations' in negative && negative.violations).toEqual([{ path: '$.spend', code: 'OUT_OF_RANGE', message: 'must be >= 0' }]);
  });

  it('checks the wider column types and the maximum and accepted values constraints', () => {
    const typed: ImportColumn[] = [
      { name: 'n', type: 'bigint', maximum: 10_000_000_000 },
      { name: 'i', type: 'integer' },
      { name: 'x', type: 'double', minimum: -1, maximum: 1 },
      { name: 'b', type: 'boolean' },
      { name: 'at', type: 'timestamptz' },
      { name: 'plan', type: 'text', values: ['free', 'pro'] },
    ];
    expect(validateRecord(typed, { n: '9000000000', i: 7, x: '-0.5e0', b: true, at: '2026-11-20T10:00:00.123+01:00', plan: 'pro' }, true)).toEqual({
      values: ['9000000000', '7', '-0.5e0', 't', '2026-11-20T10:00:00.123+01:00', 'pro'],
    });
    expect(validateRecord(typed, { b: 'FALSE' }, true)).toEqual({ values: [null, null, null, 'f', null, null] });
    const bad = validateRecord(typed, { n: '20000000000', i: '3000000000', x: 2, b: 'yes', at: '2026-11-20T10:00:00', plan: 'enterprise' }, true);
    expect('violations' in bad && bad.violations.map((v) => [v.path, v.code])).toEqual([
      ['$.n', 'OUT_OF_RANGE'],
      ['$.i', 'OUT_OF_RANGE'],
      ['$.x', 'OUT_OF_RANGE'],
      ['$.b', 'DATATYPE_MISMATCH'],
      ['$.at', 'DATATYPE_MISMATCH'],
      ['$.plan', 'ACCEPTED_VALUES'],
    ]);
  });

  it('escapes COPY text so tabs, newlines and backslashes cannot break rows', () => {
    expect(copyLine(['a\tb', 'c\nd', 'e\\f', null, 3])).toBe('a\\tb\tc\\nd\te\\\\f\t\\N\t3\n');
  });
});
