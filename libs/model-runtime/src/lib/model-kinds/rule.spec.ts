import type { ModelTask } from '@mlp/contracts';
import { applyToRows, fitPreprocessing, type RawRecord } from '../preprocessing';
import { seededRandom } from '../seeded-random';
import { kindForAlgorithm, loadPredictor } from './model-kinds';
import { ruleFeatureProblem, ruleSyntaxProblem } from './rule';

/** Raw records as a feature store gives them: numeric r, g, b in two views, a boolean, a string, a value with gaps. */
function records(n: number): RawRecord[] {
  const random = seededRandom(3);
  return Array.from({ length: n }, () => ({
    'pixel:r': Math.round(random() * 255),
    'pixel:g': Math.round(random() * 255),
    'pixel:b': Math.round(random() * 255),
    'meta:flag': random() < 0.5,
    'meta:name': random() < 0.5 ? 'x' : 'y',
    'meta:gap': random() < 0.2 ? null : Math.round(random() * 1000) / 100,
    'other:b': random(),
  }));
}

/** Trains a rule through the runtime as the trainer does (raw numeric preprocessing) and scores the rows. */
async function ruleScores(expression: string, rows: RawRecord[], task: ModelTask = 'binary_classification', features = ['pixel:r', 'pixel:g', 'pixel:b', 'meta:flag', 'meta:gap']) {
  const kind = kindForAlgorithm('rule');
  const preprocessing = fitPreprocessing(rows, features, { standardise: !kind.rawNumericInputs });
  const x = applyToRows(preprocessing, rows);
  const trained = await kind.train({ task, algorithm: { kind: 'rule', expression }, seed: 1, width: preprocessing.outputWidth, preprocessing, x, y: new Float32Array(rows.length) });
  // What serving answers: the artifact through JSON, loaded by its kind.
  const served = await loadPredictor({ model: JSON.parse(JSON.stringify(trained.model)), preprocessing });
  const atServing = served.predict(x, rows.length);
  expect(Array.from(atServing)).toEqual(Array.from(trained.predictor.predict(x, rows.length)));
  return { scores: Array.from(atServing), model: trained.model, preprocessing };
}

describe('rule kind: a written rule over raw features', () => {
  const rows = records(200);

  it('answers `r > g` exactly as computed by hand from the raw values', async () => {
    const { scores } = await ruleScores('r > g', rows);
    expect(scores).toEqual(rows.map((r) => (Number(r['pixel:r']) > Number(r['pixel:g']) ? 1 : 0)));
    expect(new Set(scores)).toEqual(new Set([0, 1]));
  });

  it('chains comparisons as the workshop\'s `r > g > b` means (r > g and g > b)', async () => {
    const { scores } = await ruleScores('r > g > b', rows);
    expect(scores).toEqual(rows.map((r) => (Number(r['pixel:r']) > Number(r['pixel:g']) && Number(r['pixel:g']) > Number(r['pixel:b']) ? 1 : 0)));
    expect(scores.filter((s) => s === 1).length).toBeGreaterThan(10);
  });

  it('computes arithmetic, booleans, !, && || and ?: (regression), with a missing value as the training median', async () => {
    const { scores, preprocessing } = await ruleScores('flag && !(r < 100) ? 2 * r - g / 4 : gap + b % 7', rows, 'regression');
    const gap = preprocessing.features.find((t) => t.name === 'meta:gap');
    const fill = gap?.kind === 'numeric' ? gap.fill : Number.NaN;
    const want = rows.map((r) => {
      const [R, G, B] = [Number(r['pixel:r']), Number(r['pixel:g']), Number(r['pixel:b'])];
      return Math.fround(r['meta:flag'] && !(R < 100) ? 2 * R - G / 4 : (r['meta:gap'] === null ? fill : Math.fround(Number(r['meta:gap']))) + (B % 7));
    });
    scores.forEach((s, i) => expect(s).toBeCloseTo(want[i], 4));
  });

  it('clamps a binary rule\'s value to [0, 1]; compares numbers at float32 precision as the inputs are', async () => {
    const { scores } = await ruleScores('(r - 128) / 64', rows);
    expect(scores).toEqual(rows.map((r) => Math.min(1, Math.max(0, Math.fround((Number(r['pixel:r']) - 128) / 64)))));
    const tenth = [{ 'v:x': 0.1 }, { 'v:x': 0.2 }];
    expect((await ruleScores('x > 0.1', tenth, 'binary_classification', ['v:x'])).scores).toEqual([0, 1]);
    expect((await ruleScores('x <= 0.1', tenth, 'binary_classification', ['v:x'])).scores).toEqual([1, 0]);
  });

  it('names a feature by view__feature when its name is not unique, and records the columns it reads', async () => {
    const { scores, model } = await ruleScores('pixel__b > 0.5 * 255 || other__b > 0.9', rows, 'binary_classification', ['pixel:b', 'other:b']);
    expect(scores).toEqual(rows.map((r) => (Number(r['pixel:b']) > 127.5 || Math.fround(Number(r['other:b'])) > Math.fround(0.9) ? 1 : 0)));
    expect(model).toMatchObject({ kind: 'rule', inputs: [{ name: 'pixel__b', column: 0 }, { name: 'other__b', column: 1 }], output: 'probability' });
    await expect(ruleScores('b > 1', rows, 'binary_classification', ['pixel:b', 'other:b'])).rejects.toMatchObject({ code: 'RULE_AMBIGUOUS_FEATURE' });
  });

  it('refuses names that are not numeric inputs of the model, and a rule that gives no number', async () => {
    await expect(ruleScores('red > 3', rows)).rejects.toMatchObject({ code: 'RULE_UNKNOWN_FEATURE', message: expect.stringContaining('red') });
    await expect(ruleScores('name > 0', rows, 'binary_classification', ['pixel:r', 'meta:name'])).rejects.toMatchObject({ code: 'RULE_FEATURE_NOT_NUMERIC' });
    await expect(ruleScores('r / (g - g)', rows, 'regression')).rejects.toMatchObject({ code: 'RULE_NOT_FINITE' });
  });

  it.each([
    ['f(r)', 'RULE_CONSTRUCT_NOT_ALLOWED', 'function call'],
    ['Math.max(r, g)', 'RULE_CONSTRUCT_NOT_ALLOWED', 'function call'],
    ['r.constructor', 'RULE_CONSTRUCT_NOT_ALLOWED', 'member access'],
    ['r[0]', 'RULE_CONSTRUCT_NOT_ALLOWED', 'member access'],
    ['r = 1', 'RULE_SYNTAX_ERROR', 'does not parse'],
    ['r >', 'RULE_SYNTAX_ERROR', 'does not parse'],
    ['"red" == r', 'RULE_CONSTRUCT_NOT_ALLOWED', 'literal "red"'],
    ['r >> 1', 'RULE_CONSTRUCT_NOT_ALLOWED', 'operator >>'],
    ['~r', 'RULE_CONSTRUCT_NOT_ALLOWED', 'operator ~'],
    ['this', 'RULE_CONSTRUCT_NOT_ALLOWED', 'this'],
    ['[r, g]', 'RULE_CONSTRUCT_NOT_ALLOWED', 'array'],
    ['r, g', 'RULE_CONSTRUCT_NOT_ALLOWED', 'more than one expression'],
    ['R > g', 'RULE_UNKNOWN_FEATURE', 'not a feature name'],
    ['null', 'RULE_CONSTRUCT_NOT_ALLOWED', 'literal null'],
  ])('refuses %s when the spec is applied (%s)', (expression, code, words) => {
    expect(ruleSyntaxProblem(expression)).toMatchObject({ code, message: expect.stringContaining(words) });
  });

  it('checks a rule against a feature service\'s features before any data is read', () => {
    const features = [
      { name: 'pixel:r', numeric: true },
      { name: 'pixel:g', numeric: true },
      { name: 'meta:name', numeric: false },
      { name: 'other:g', numeric: true },
    ];
    expect(ruleFeatureProblem('r > pixel__g', features)).toBeUndefined();
    expect(ruleFeatureProblem('r > g', features)).toMatchObject({ code: 'RULE_AMBIGUOUS_FEATURE' });
    expect(ruleFeatureProblem('name > 1', features)).toMatchObject({ code: 'RULE_FEATURE_NOT_NUMERIC' });
    expect(ruleFeatureProblem('b > 1', features)).toMatchObject({ code: 'RULE_UNKNOWN_FEATURE', message: expect.stringContaining('pixel:r, pixel:g') });
    expect(ruleFeatureProblem('r(1)', features)).toMatchObject({ code: 'RULE_CONSTRUCT_NOT_ALLOWED' });
  });

  it('accepts the rule grammar when the spec is applied', () => {
    for (const ok of ['r > g > b', 'x > 0.5 && !flag ? 0.9 : 0.1', '3 * n + 0.5 * gap', 'true', '-x % 2 === 1 || y != 2']) expect(ruleSyntaxProblem(ok)).toBeUndefined();
  });
});
