// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';

/** Modules that must never be reachable from workflow code: the sandbox has no Node.js and no network. */
const workflowBannedModules = [
  'undici',
  'node:*',
  'fs',
  'path',
  'http',
  'https',
  'net',
  'os',
  'crypto',
  'child_process',
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
  '../testing',
  '../testing/*',
  '../client',
];

export default tseslint.config(
  { ignores: ['lib/', 'node_modules/', '.temporal/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      eqeqeq: ['error', 'smart'],
      'no-console': 'error',
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: workflowBannedModules, allowTypeImports: true, message: 'Not sandbox-safe.' },
            {
              // Activity code is not sandbox-safe; its recommended options module is, by design.
              regex: '^\\.\\./activities(/(?!options$).*)?$',
              allowTypeImports: true,
              message: 'Activity code is not sandbox-safe; only ../activities/options is.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/worker.ts', 'src/cli.ts', 'src/sandbox.ts', 'scripts/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: globals.node,
    },
  },
);
