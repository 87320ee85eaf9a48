// The client's './x.js' imports map back to the .ts files through the shared preset.
const preset = require('../../jest.preset.cjs');
module.exports = { ...preset, displayName: 'client', rootDir: __dirname };
