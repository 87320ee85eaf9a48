import { ImportSources } from '@mlp/contracts';
import { copyLine } from '../warehouse/copy-text';
import { validateRecord } from './row-validation';

const columns = ImportSources.find((s) => s.name === 'marketing_spend')?.columns ?? [];

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

  it('escapes COPY text so tabs, newlines and backslashes cannot break rows', () => {
    expect(copyLine(['a\tb', 'c\nd', 'e\\f', null, 3])).toBe('a\\tb\tc\\nd\te\\\\f\t\\N\t3\n');
  });
});
