// The ML code training and serving share, framework-free: one preprocessing (fit and apply) and
// the meaning of a model's inputs.
export * from './lib/preprocessing';
export * from './lib/model-signature';
