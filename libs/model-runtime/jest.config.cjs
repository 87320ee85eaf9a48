module.exports = { ...require('../../jest.preset.cjs'), displayName: 'model-runtime', rootDir: __dirname };
