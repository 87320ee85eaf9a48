// The client's sources import siblings as './x.js' (what its ESM build needs); Jest maps them back to the .ts files.
const preset = require('../../jest.preset.cjs');
module.exports = {
  ...preset,
  displayName: 'client',
  rootDir: __dirname,
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', ...preset.moduleNameMapper },
};
