module.exports = { ...require('../../jest.preset.cjs'), displayName: 'dwh-ingest', rootDir: __dirname };
