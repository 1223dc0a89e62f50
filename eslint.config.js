// @ts-check
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Import direction (ARCHITECTURE.md, "Rules of the house"):
 *   src-shared   <- everything; it imports nothing of ours and no node:, electron or DOM API.
 *   src-renderer -> src-shared only.
 *   src-main, src-relay never import each other; only src-main/app and src-main/preload import electron.
 */
const nodeBuiltins = ['node:*', ...(await import('node:module')).builtinModules];

/** @param {string[]} groups @param {string} message */
const forbid = (groups, message) => ({ group: groups, message });

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'out/',
      'coverage/',
      'test-results/',
      'playwright-report/',
      '.testbed/',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(nodeBuiltins, 'src-shared is environment-neutral: no Node built-ins.'),
            forbid(['electron', 'electron/*'], 'src-shared must not import electron.'),
            forbid(
              ['**/src-main/**', '**/src-relay/**', '**/src-renderer/**'],
              'src-shared imports nothing of ours: everything else imports it.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(nodeBuiltins, 'The renderer runs sandboxed: no Node built-ins.'),
            forbid(
              ['electron', 'electron/*'],
              'The renderer talks to main through the preload API only.',
            ),
            forbid(['**/src-main/**', '**/src-relay/**'], 'src-renderer imports src-shared only.'),
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/app/**', 'src-main/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              ['electron', 'electron/*'],
              'Only src-main/app and src-main/preload import electron; keep logic testable without it.',
            ),
            forbid(
              ['**/src-relay/**', '**/src-renderer/**'],
              'src-main and src-relay never import each other.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src-relay/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(['electron', 'electron/*'], 'The relay is a plain Node server.'),
            forbid(
              ['**/src-main/**', '**/src-renderer/**'],
              'src-main and src-relay never import each other.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'bin/*'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
