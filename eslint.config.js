// @ts-check
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

import local from './eslint/layers.js';

/**
 * Import direction (ARCHITECTURE.md, "Rules of the house") as allow-lists: each layer names
 * what it may import — our folders, Node built-ins, npm packages — and anything unlisted fails
 * (eslint/layers.js says how ids and globs work). The first layer whose `files` match a file is
 * its layer; a file in no layer fails, so a new top-level folder is a decision, not a hole.
 * A package added to a list is a decision too: say in the commit why that layer needs it.
 * The lists name today's real imports (the repository lints clean) plus the front-end packages
 * of ARCHITECTURE.md for src-renderer, which does not exist yet.
 */
const NODE = 'node:**';
const ANYTHING = '**';
/**
 * What the desktop client's main process imports from outside src-*: npm packages (schemas, the
 * relay client, the CLI, the OS keyring for src-main/secrets, the proxy agents and the proxy
 * variables' reading for src-main/session/proxy.ts) and package.json (the app's version,
 * src-main/version.ts).
 */
const mainPackages = [
  'zod',
  'ws',
  'commander',
  'picocolors',
  '@napi-rs/keyring',
  'wrap-ansi',
  'https-proxy-agent',
  'socks-proxy-agent',
  'proxy-from-env',
  'package.json',
];

/** @type {import('./eslint/layers.js').Layer[]} */
const layers = [
  {
    name: 'src-shared',
    files: ['src-shared/**'],
    allow: ['src-shared/**', 'zod', 'string-width'],
    why: 'src-shared is environment-neutral (no node:, electron or DOM) and everything imports it, so it imports only itself, zod (its schemas are the contract on both sides of every boundary) and string-width (terminal cell widths for the one table renderer, src-shared/text).',
  },
  {
    name: 'src-renderer',
    files: ['src-renderer/**'],
    allow: [
      'src-renderer/**',
      'src-shared/**',
      'react',
      'react-dom',
      'react-dom/client',
      'react-aria-components',
    ],
    why: 'the renderer runs sandboxed in a browser: no Node built-ins, no electron, nothing of src-main or src-relay; it reaches the main process only through src-renderer/api.',
  },
  {
    name: 'src-main/preload',
    files: ['src-main/preload/**'],
    allow: ['src-main/preload/**', 'src-shared/**', 'electron', 'electron/renderer'],
    why: "the preload runs sandboxed and is bundled to one CommonJS file: electron's contextBridge and ipcRenderer, and src-shared's schemas, nothing else.",
  },
  {
    name: 'src-main/app',
    files: ['src-main/app/**'],
    allow: [
      'src-main/**',
      '!src-main/preload/**',
      'src-shared/**',
      NODE,
      'electron',
      ...mainPackages,
    ],
    why: 'the composition root and the Electron glue: the rest of src-main and src-shared, Node and electron; the preload is loaded by path, not imported; src-main and src-relay never import each other.',
  },
  {
    name: 'src-main',
    files: ['src-main/**'],
    allow: [
      'src-main/**',
      '!src-main/app/**',
      '!src-main/preload/**',
      'src-shared/**',
      NODE,
      ...mainPackages,
    ],
    why: 'only src-main/app and src-main/preload import electron (nor anything that does), so the rest of the client runs and is tested in plain Node; src-main and src-relay never import each other.',
  },
  {
    name: 'src-relay',
    files: ['src-relay/**'],
    allow: ['src-relay/**', 'src-shared/**', NODE, 'zod', 'ws', 'commander', 'package.json'],
    why: 'the relay is a plain Node server: no electron, and src-main and src-relay never import each other.',
  },
  // The launchers start one program each.
  {
    name: 'bin/printo-help',
    files: ['bin/printo-help'],
    // Node built-ins: it turns on Node's compile cache before the CLI loads; the version, to
    // answer --version before it does (bin/printo-help).
    allow: ['src-main/cli/**', 'src-main/version.ts', NODE],
    why: 'it starts the printo-help CLI.',
  },
  {
    name: 'bin/printo-relay',
    files: ['bin/printo-relay'],
    allow: ['src-relay/cli/**'],
    why: 'it starts the printo-relay CLI.',
  },
  // Tests, benchmarks and tooling may import anything of ours and any package.
  {
    name: 'tests and tooling',
    files: ['test/**', 'bench/**', 'scripts/**', 'eslint/**', '*.js', '*.ts'],
    allow: [ANYTHING],
    why: 'not shipped.',
  },
];

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
  },
  {
    files: ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}', 'bin/printo-*'],
    plugins: { local },
    rules: { 'local/layers': ['error', { layers }] },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'bin/printo-*'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
