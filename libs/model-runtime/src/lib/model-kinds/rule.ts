import type { Preprocessing } from '@mlp/contracts';
import jsep from 'jsep';
import { widthOf } from '../preprocessing';
import { ModelSpecError, type ArtifactModel, type ModelKind, type Predictor } from './model-kind';

type RuleModel = Extract<ArtifactModel, { kind: 'rule' }>;

/** Why a rule cannot be used, with a machine-readable code. */
export interface RuleProblem {
  code: 'RULE_SYNTAX_ERROR' | 'RULE_CONSTRUCT_NOT_ALLOWED' | 'RULE_UNKNOWN_FEATURE' | 'RULE_AMBIGUOUS_FEATURE' | 'RULE_FEATURE_NOT_NUMERIC';
  message: string;
}

/** A rule compiled to a function of one row of the model vector. */
type Evaluate = (matrix: Float32Array, base: number) => number;

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};
const COMPARISON: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '===': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '!==': (a, b) => a !== b,
};
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

const notAllowed = (what: string): RuleProblem => ({ code: 'RULE_CONSTRUCT_NOT_ALLOWED', message: `${what} is not allowed in a rule (numbers, true/false, feature names, + - * / %, comparisons, && || ! and ?: are)` });

/** Parses a rule with jsep; a syntax error is a problem, not an exception. */
function parse(expression: string): jsep.Expression | RuleProblem {
  try {
    return jsep(expression);
  } catch (e) {
    return { code: 'RULE_SYNTAX_ERROR', message: `the rule does not parse: ${e instanceof Error ? e.message : String(e)}` };
  }
}

const isProblem = (x: unknown): x is RuleProblem => typeof x === 'object' && x !== null && 'code' in x && 'message' in x;

/**
 * Walks the AST once, refusing anything outside the grammar, and builds the evaluator. `column`
 * resolves a feature name to its model-vector column (or a problem). Comparisons chain as in
 * Python: `r > g > b` is `r > g && g > b` (jsep keeps no parentheses, so `(r > g) > b` reads the
 * same; comparing a comparison's 0/1 with a number is never what a rule means).
 */
function compile(node: jsep.Expression, column: (name: string) => number | RuleProblem): Evaluate | RuleProblem {
  switch (node.type) {
    case 'Literal': {
      const value = node['value'];
      if (typeof value === 'boolean') return value ? () => 1 : () => 0;
      // Feature values are float32 in the model vector, so numbers are too: `x > 0.1` is false for x = 0.1.
      if (typeof value === 'number' && Number.isFinite(value)) {
        const v = Math.fround(value);
        return () => v;
      }
      return notAllowed(`the literal ${String(node['raw'])}`);
    }
    case 'Identifier': {
      const name = String(node['name']);
      if (name === 'true' || name === 'false') return name === 'true' ? () => 1 : () => 0;
      if (!IDENTIFIER.test(name)) return { code: 'RULE_UNKNOWN_FEATURE', message: `${name} is not a feature name (lower-case letters, digits and _)` };
      const at = column(name);
      if (isProblem(at)) return at;
      return (m, base) => m[base + at];
    }
    case 'UnaryExpression': {
      const operator = String(node['operator']);
      const arg = compile(node['argument'] as jsep.Expression, column);
      if (isProblem(arg)) return arg;
      if (operator === '-') return (m, b) => -arg(m, b);
      if (operator === '+') return arg;
      if (operator === '!') return (m, b) => (arg(m, b) ? 0 : 1);
      return notAllowed(`the operator ${operator}`);
    }
    case 'BinaryExpression': {
      const operator = String(node['operator']);
      const leftNode = node['left'] as jsep.Expression;
      const left = compile(leftNode, column);
      if (isProblem(left)) return left;
      const right = compile(node['right'] as jsep.Expression, column);
      if (isProblem(right)) return right;
      if (operator === '&&') return (m, b) => {
        const a = left(m, b);
        return a ? right(m, b) : a;
      };
      if (operator === '||') return (m, b) => {
        const a = left(m, b);
        return a ? a : right(m, b);
      };
      const arithmetic = ARITHMETIC[operator];
      if (arithmetic) return (m, b) => arithmetic(left(m, b), right(m, b));
      const compare = COMPARISON[operator];
      if (!compare) return notAllowed(`the operator ${operator}`);
      if (leftNode.type === 'BinaryExpression' && COMPARISON[String(leftNode['operator'])]) {
        // Chained: the left comparison holds and its right operand compares with ours.
        const middle = compile(leftNode['right'] as jsep.Expression, column) as Evaluate;
        return (m, b) => (left(m, b) && compare(middle(m, b), right(m, b)) ? 1 : 0);
      }
      return (m, b) => (compare(left(m, b), right(m, b)) ? 1 : 0);
    }
    case 'ConditionalExpression': {
      const test = compile(node['test'] as jsep.Expression, column);
      if (isProblem(test)) return test;
      const yes = compile(node['consequent'] as jsep.Expression, column);
      if (isProblem(yes)) return yes;
      const no = compile(node['alternate'] as jsep.Expression, column);
      if (isProblem(no)) return no;
      return (m, b) => (test(m, b) ? yes(m, b) : no(m, b));
    }
    case 'CallExpression':
      return notAllowed('a function call');
    case 'MemberExpression':
      return notAllowed('member access (a.b, a[b])');
    case 'Compound':
    case 'SequenceExpression':
      return notAllowed('more than one expression');
    case 'ArrayExpression':
      return notAllowed('an array');
    case 'ThisExpression':
      return notAllowed('this');
    default:
      return notAllowed(`a ${node.type}`);
  }
}

/**
 * What a spec's rule may be, checked without the model's features (when a spec is applied): it
 * parses and uses only the rule grammar. Undefined when it is fine; feature names are checked when
 * the run knows the model's inputs.
 */
export function ruleSyntaxProblem(expression: string): RuleProblem | undefined {
  const ast = parse(expression);
  if (isProblem(ast)) return ast;
  const compiled = compile(ast, () => 0);
  return isProblem(compiled) ? compiled : undefined;
}

/** A model input a rule may name: its reference (`view:feature`), whether it is numeric, its model-vector column. */
interface RuleInput {
  ref: string;
  numeric: boolean;
  column: number;
}

/**
 * Resolves the names a rule uses to model inputs: numeric (and boolean) features, by `feature` when
 * that name is unique among the inputs and always by `view__feature`. A string feature is one-hot
 * encoded and has no single value a rule could compare.
 */
function resolver(inputs: readonly RuleInput[]): (name: string) => number | RuleProblem {
  const byName = new Map<string, RuleInput[]>();
  for (const input of inputs) {
    const colon = input.ref.indexOf(':');
    const names = colon < 0 ? [input.ref] : [input.ref.slice(colon + 1), `${input.ref.slice(0, colon)}__${input.ref.slice(colon + 1)}`];
    for (const n of names) byName.set(n, [...(byName.get(n) ?? []), input]);
  }
  const known = inputs.map((i) => i.ref).join(', ');
  return (name) => {
    const found = byName.get(name) ?? [];
    if (found.length === 0) return { code: 'RULE_UNKNOWN_FEATURE', message: `the rule names ${name}, which is not an input of the model (inputs: ${known})` };
    if (found.length > 1) return { code: 'RULE_AMBIGUOUS_FEATURE', message: `${name} names ${found.map((f) => f.ref).join(' and ')}; write view__feature` };
    if (!found[0].numeric) return { code: 'RULE_FEATURE_NOT_NUMERIC', message: `${found[0].ref} is a string feature; a rule can use numeric and boolean features` };
    return found[0].column;
  };
}

/** The model-vector column of each raw feature of a preprocessing, for a rule. */
function featureColumns(preprocessing: Preprocessing): (name: string) => number | RuleProblem {
  let offset = 0;
  const inputs = preprocessing.features.map((t) => {
    const input = { ref: t.name, numeric: t.kind === 'numeric', column: offset };
    offset += widthOf(t);
    return input;
  });
  return resolver(inputs);
}

/**
 * Whether a rule can run on a feature service's features (`view:feature`, numeric or not), checked
 * before any data is read (e.g. by `mlp validate` against a project's own feature service): the
 * grammar, then every name. Undefined when it can.
 */
export function ruleFeatureProblem(expression: string, features: ReadonlyArray<{ name: string; numeric: boolean }>): RuleProblem | undefined {
  const ast = parse(expression);
  if (isProblem(ast)) return ast;
  const compiled = compile(ast, resolver(features.map((f, i) => ({ ref: f.name, numeric: f.numeric, column: i }))));
  return isProblem(compiled) ? compiled : undefined;
}

/** A rule's evaluator over columns given by name (the artifact's `inputs`). */
function evaluatorOf(expression: string, columns: (name: string) => number | RuleProblem): Evaluate {
  const ast = parse(expression);
  const compiled = isProblem(ast) ? ast : compile(ast, columns);
  if (isProblem(compiled)) throw new ModelSpecError(compiled.message, compiled.code);
  return compiled;
}

function rulePredictor(model: RuleModel, width: number): Predictor {
  const columns = new Map(model.inputs.map((i) => [i.name, i.column] as const));
  const evaluate = evaluatorOf(model.expression, (name) => columns.get(name) ?? { code: 'RULE_UNKNOWN_FEATURE', message: `the artifact's rule names ${name} but gives no column for it` });
  const clamp = model.output === 'probability';
  return {
    engine: 'rule',
    outWidth: 1,
    predict(matrix, rows) {
      const out = new Float32Array(rows);
      for (let r = 0; r < rows; r++) {
        const v = evaluate(matrix, r * width);
        out[r] = clamp ? (v < 0 ? 0 : v > 1 ? 1 : v) : v;
      }
      return out;
    },
    dispose: () => undefined,
  };
}

/** The names a rule uses, in order of first use. */
function namesIn(expression: string): string[] {
  const names: string[] = [];
  evaluatorOf(expression, (name) => {
    if (!names.includes(name)) names.push(name);
    return 0;
  });
  return names;
}

/**
 * A rule written in the spec, over the model's raw numeric features (the kind asks for unscaled
 * inputs). Nothing is fitted: training resolves the names to columns and checks the rule gives a
 * finite value on every training row.
 */
export const ruleKind: ModelKind = {
  algorithms: ['rule'],
  tasks: ['binary_classification', 'regression'],
  artifactKind: 'rule',
  platform: 'mlp_rule',
  rawNumericInputs: true,
  async train(input) {
    if (input.algorithm.kind !== 'rule') throw new Error(`the rule kind does not train ${input.algorithm.kind}`);
    if (!input.preprocessing) throw new Error('a rule needs the preprocessing to find its features');
    const { expression } = input.algorithm;
    const column = featureColumns(input.preprocessing);
    evaluatorOf(expression, column);
    const inputs = namesIn(expression).map((name) => ({ name, column: column(name) as number }));
    const model: RuleModel = { kind: 'rule', expression, inputs, output: input.task === 'binary_classification' ? 'probability' : 'value' };
    const predictor = rulePredictor(model, input.width);
    const rows = input.y.length;
    const out = predictor.predict(input.x, rows);
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new ModelSpecError(`the rule gives ${out[bad]} for training row ${bad} (e.g. a division by zero); a model must answer a number for every row`, 'RULE_NOT_FINITE');
    return { model, curves: [], predictor };
  },
  async load(model, inWidth) {
    if (model.kind !== 'rule') throw new Error(`a ${model.kind} model is not a rule`);
    const outside = model.inputs.find((i) => i.column >= inWidth);
    if (outside) throw new Error(`the rule reads ${outside.name} from column ${outside.column} but the preprocessing produces ${inWidth} values`);
    return rulePredictor(model, inWidth);
  },
};
