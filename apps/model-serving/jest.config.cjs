module.exports = { ...require('../../jest.preset.cjs'), displayName: 'model-serving', rootDir: __dirname };
