import baseConfig from '../../eslint.config.mjs';

// The published package runs in browsers and installs with no dependencies: its code imports
// nothing from the workspace (contract types are generated into src/lib/generated) nor from Node.
export default [
  ...baseConfig,
  {
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@mlp/*'], message: '@mlp/client is installed alone: generate the contract types (tools/client/write-contract-types.mjs) instead.' },
            { group: ['node:*', 'http', 'https', 'fs', 'stream', 'buffer', 'crypto'], message: 'the client core runs in browsers too: use fetch, streams and Web Crypto.' },
          ],
        },
      ],
    },
  },
];
