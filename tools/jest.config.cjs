module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'tools',
  rootDir: __dirname,
  // Helpers' plain-JS tools have their own node:test suites; Jest runs the TypeScript ones.
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '\\.mjs$'],
};
