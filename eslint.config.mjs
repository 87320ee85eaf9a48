import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import globals from 'globals';

// Module boundaries are the architecture: every project carries exactly one scope:* and one
// type:* tag, and there is deliberately no catch-all rule, so an untagged project fails lint.
const frameworkAndInfra = ['@nestjs/*', 'typeorm', 'fastify', '@fastify/*', 'pg', 'pg-*', 'ioredis', 'nats', 'rxjs'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/.data', '**/tmp', '**/*.cjs', '**/eslint.config.mjs'],
  },
  {
    // Plain-JS tools (runner, demo, benchmarks, deploy checks) are linted too.
    files: ['**/*.mjs'],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: { ...js.configs.recommended.rules, 'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // What a project of each type may depend on.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:kit', 'type:contracts', 'type:util'] },
            { sourceTag: 'type:kit', onlyDependOnLibsWithTags: ['type:kit', 'type:contracts', 'type:util'] },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util', 'type:contracts'],
              bannedExternalImports: ['@nestjs/*', 'typeorm', 'fastify', '@fastify/*'],
            },
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: ['type:contracts'],
              bannedExternalImports: frameworkAndInfra,
            },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            // Which teams' code a project may reach: its own scope and the shared libraries.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:dwh-ingest', onlyDependOnLibsWithTags: ['scope:dwh-ingest', 'scope:shared'] },
            { sourceTag: 'scope:feature-store', onlyDependOnLibsWithTags: ['scope:feature-store', 'scope:shared'] },
            { sourceTag: 'scope:trainer', onlyDependOnLibsWithTags: ['scope:trainer', 'scope:shared'] },
            { sourceTag: 'scope:model-serving', onlyDependOnLibsWithTags: ['scope:model-serving', 'scope:shared'] },
            { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['scope:platform', 'scope:shared'] },
            { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:console', 'scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'tools/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
