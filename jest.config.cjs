// One Jest run over every project (what `npm test` and CI run); each project also has its own
// `nx test <project>` target inferred from its jest.config.cjs.
module.exports = {
  projects: ['<rootDir>/apps/*/jest.config.cjs', '<rootDir>/libs/*/jest.config.cjs', '<rootDir>/tools/jest.config.cjs'],
  testTimeout: 30000,
};
