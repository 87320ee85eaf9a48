import fc from 'fast-check';
import { parse as secureJsonParse } from 'secure-json-parse';
import { badCharacterIndex, findTextProblem, hasBadCharacter, JSON_MAX_DEPTH, scanJsonText } from './json-text';
import { parseJsonBody, recordTextProblem } from './request-text';

const scan = (text: string, stopAbove?: number) => scanJsonText(Buffer.from(text, 'utf8'), stopAbove);
const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('scanJsonText', () => {
  it('measures nesting, ignoring brackets inside strings', () => {
    expect(scan('{"a":[1,{"b":2}],"c":"[[[{{{"}').depth).toBe(3);
    expect(scan('"just a string"').depth).toBe(0);
    expect(scan(nested(100_000)).depth).toBe(JSON_MAX_DEPTH + 1); // stops just past the limit
    expect(scan(nested(1000), 5000).depth).toBe(1000);
  });

  it('finds U+0000 and lone surrogate escapes, in values and keys, and nothing else', () => {
    expect(scan('{"a":"x\\u0000y"}').badText).toBe(true);
    expect(scan('{"a\\u0000":1}').badText).toBe(true);
    expect(scan('["\\ud800"]').badText).toBe(true);
    expect(scan('["\\uDBFF x"]').badText).toBe(true);
    expect(scan('["\\udc00"]').badText).toBe(true);
    expect(scan('["\\ud800\\u0041"]').badText).toBe(true);
    expect(scan('["\\ud83d\\ude00", "\\uD83D\\uDE00", "😀", "\\u0001", "\\u00e9"]').badText).toBe(false);
    // An escaped backslash followed by u0000 is the six characters \u0000, not a NUL.
    expect(scan('["\\\\u0000", "\\\\ud800", "\\"\\\\"]').badText).toBe(false);
  });

  it('agrees with JSON.parse and a walk of the parsed value on arbitrary JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, asciiOnly) => {
        let text = JSON.stringify(value) ?? 'null';
        // Clients that escape every non-ASCII unit (Python's default) write pairs as two escapes.
        if (asciiOnly) text = text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
        const parsed = JSON.parse(text);
        const result = scan(text, Infinity);
        expect(result.badText).toBe(findTextProblem(parsed, Infinity) !== null);
      }),
      { numRuns: 2000, seed: 18 },
    );
  });
});

describe('scanJsonText: suspect keys', () => {
  it('flags __proto__ and constructor as strings, any escape, and a byte-order mark; nothing else', () => {
    expect(scan('{"__proto__":{}}').suspectKeys).toBe(true);
    expect(scan('{"a":{"constructor":{"prototype":1}}}').suspectKeys).toBe(true);
    expect(scan('{"\\u005f_proto__":{}}').suspectKeys).toBe(true);
    expect(scan('["x\\ny"]').suspectKeys).toBe(true);
    expect(scanJsonText(Buffer.from('\ufeff{"a":1}', 'utf8')).suspectKeys).toBe(true);
    expect(scan('{"inputs":[{"name":"proto","data":["__proto","constructors"]}]}').suspectKeys).toBe(false);
  });

  it('is set whenever secure-json-parse would look further, on arbitrary JSON with poisoning keys mixed in', () => {
    // ESCAPED_PROTO stands for __proto__ spelt with an escape in the text.
    const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'ESCAPED_PROTO'));
    let refusals = 0;
    const value = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), fc.dictionary(key, tie('node'), { maxKeys: 3 }), fc.array(tie('node'), { maxLength: 3 })),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        const text = (JSON.stringify(v) ?? 'null').replaceAll('"ESCAPED_PROTO"', '"\\u005f_proto__"');
        let refused = false;
        try {
          secureJsonParse(text, { protoAction: 'error', constructorAction: 'error' });
        } catch {
          refused = true;
          refusals++;
        }
        if (refused) expect(scan(text).suspectKeys).toBe(true);
      }),
      { numRuns: 2000, seed: 7 },
    );
    expect(refusals).toBeGreaterThan(50); // the property was exercised
  });
});

describe('findTextProblem', () => {
  it('names the path of a bad string or key at any depth', () => {
    expect(findTextProblem({ a: { b: ['x', 'y\u0000'] }, z: 'ok' })).toMatchObject({ path: '$.a.b[1]', code: 'INVALID_CHARACTER' });
    expect(findTextProblem({ props: { ['k\u0000']: 1 } })).toMatchObject({ path: '$.props["k\ufffd"]', code: 'INVALID_CHARACTER' });
    expect(findTextProblem({ t: 'x\udfff' })?.message).toMatch(/lone surrogate \(U\+DFFF\)/);
    expect(findTextProblem('\ud800')).toMatchObject({ path: '$', code: 'INVALID_CHARACTER' });
    expect(findTextProblem({ a: 'literal \\u0000 text', e: '😀', n: 0, t: true, z: null })).toBeNull();
  });

  it('finds nesting beyond the limit at any depth without recursion', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findTextProblem({ ok: 1, deep })).toMatchObject({ code: 'NESTING_TOO_DEEP' });
    expect(findTextProblem(JSON.parse(nested(JSON_MAX_DEPTH)))).toBeNull();
    expect(findTextProblem(JSON.parse(nested(JSON_MAX_DEPTH + 1)))).toMatchObject({ code: 'NESTING_TOO_DEEP' });
  });

  it('hasBadCharacter and badCharacterIndex agree on single strings', () => {
    expect(badCharacterIndex('ab\ud800')).toBe(2);
    expect(badCharacterIndex('a\ud83d\ude00\u0000')).toBe(3);
    expect(hasBadCharacter('\ud83d\ude00')).toBe(false);
    expect(hasBadCharacter('\ude00\ud83d')).toBe(true);
  });
});

describe('parseJsonBody', () => {
  const refused = (text: string, perRecord = false) => {
    try {
      parseJsonBody(Buffer.from(text), perRecord);
      return null;
    } catch (err) {
      const e = err as { status: number; code: string; details: Array<{ path?: string }> };
      return { status: e.status, code: e.code, path: e.details[0]?.path };
    }
  };

  it('refuses U+0000 and lone surrogates anywhere in a body with 400 INVALID_CHARACTER and the path', () => {
    expect(refused('{"entity":{"ids":["ok","a\\u0000b"]}}')).toEqual({ status: 400, code: 'INVALID_CHARACTER', path: '$.entity.ids[1]' });
    expect(refused('{"x":"\\ud800"}')).toEqual({ status: 400, code: 'INVALID_CHARACTER', path: '$.x' });
  });

  it('refuses nesting deeper than the limit with 400 NESTING_TOO_DEEP before parsing it', () => {
    expect(refused(`{"p":${nested(5000)}}`)).toMatchObject({ status: 400, code: 'NESTING_TOO_DEEP' });
    expect(refused(nested(JSON_MAX_DEPTH))).toBeNull();
  });

  it('refuses malformed JSON, empty bodies and prototype poisoning with 400 codes', () => {
    expect(refused('{"a":')).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
    expect(refused('')).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused('{"__proto__":{"x":1}}')).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused('{"a":[{"\\u005f_proto__":{"x":1}}]}')).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused('{"constructor":{"prototype":{"x":1}}}')).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused('{"constructor":1}')).toBeNull(); // a key named constructor alone is harmless
    expect(parseJsonBody(Buffer.from('\ufeff{"a":1}', 'utf8'))).toEqual({ a: 1 }); // a byte-order mark is skipped, as before
  });

  it('on per-record routes leaves text problems to each record, and bounds the body more loosely', () => {
    const body = parseJsonBody(Buffer.from('{"batch":[{"a":"ok"},{"a":"\\ud800"},{"d":' + nested(100) + '}]}'), true) as { batch: unknown[] };
    expect(body.batch.map((r) => recordTextProblem(body, r)?.code ?? null)).toEqual([null, 'INVALID_CHARACTER', 'NESTING_TOO_DEEP']);
    const clean = parseJsonBody(Buffer.from('{"batch":[{"a":"ok"}]}'), true) as { batch: unknown[] };
    expect(recordTextProblem(clean, clean.batch[0])).toBeNull();
    expect(refused(nested(1000), true)).toMatchObject({ code: 'NESTING_TOO_DEEP' });
  });
});
