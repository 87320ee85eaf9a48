// The ML code training and serving share, framework-free: one preprocessing (fit and apply), the
// meaning of a model's inputs, and the model kinds (train, serialise, load, predict), one file each.
export * from './lib/preprocessing';
export * from './lib/model-signature';
export * from './lib/seeded-random';
export * from './lib/model-kinds/model-kind';
export * from './lib/model-kinds/model-kinds';
export { fitBaseline } from './lib/model-kinds/baseline';
export * from './lib/class-labels';
export { ruleFeatureProblem, ruleSyntaxProblem, type RuleProblem } from './lib/model-kinds/rule';
export { FOREST_DEFAULTS, MAX_FOREST_NODES } from './lib/model-kinds/tree-ensemble';
