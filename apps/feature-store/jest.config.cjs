module.exports = { ...require('../../jest.preset.cjs'), displayName: 'feature-store', rootDir: __dirname };
