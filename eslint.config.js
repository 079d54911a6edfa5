// One lint config for the whole repository: typescript-eslint's type-checked rules.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Production source: what ships in the packages (tests and their support files are not). */
const PRODUCTION = {
  files: [
    'api/src/**/*.ts',
    'operator/src/**/*.ts',
    'media-node/src/**/*.ts',
    'devtools/src/**/*.ts',
  ],
  ignores: ['**/*.test.ts', '**/*.test-support.ts', '**/testing/**'],
};

/**
 * The media node's folders, top to bottom (docs/media-node.md, "Code map"): a folder imports only
 * folders below it, so the call core never reaches into the process shell and the RTP thread's
 * code never into the event loop's.
 */
const MEDIA_NODE_LAYERS = [
  'node',
  'adapters',
  'core',
  'agent',
  'providers',
  'rtp-thread',
  'vad',
  'sdp',
  'rtp',
  'sip',
  'audio',
  'telemetry',
  'quality',
  'lib',
];

const mediaNodeLayerZones = MEDIA_NODE_LAYERS.slice(1).map((folder, index) => ({
  target: `./media-node/src/${folder}`,
  from: MEDIA_NODE_LAYERS.slice(0, index + 1).map((above) => `./media-node/src/${above}`),
  message: `media-node/src/${folder} imports only folders below it (docs/media-node.md, Code map)`,
}));

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test runs what describe/it/test register; their promises need no await.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Export names explicitly; no export *.' },
      ],
    },
  },
  {
    // The shape of the repository (docs/architecture.md): which package may import which.
    ...PRODUCTION,
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [
            {
              target: ['./api/src', './operator/src', './media-node/src', './devtools/src'],
              from: ['./test', './bin', './bench', './scripts'],
              message: 'production code never imports tests, benchmarks, scripts or bin/',
            },
            {
              target: ['./api/src', './operator/src', './media-node/src', './devtools/src'],
              from: ['./api/src/testing', './media-node/src/sip/testing'],
              message: 'testing/ folders are test support: production code never imports them',
            },
            {
              target: './api/src',
              from: ['./operator', './media-node', './devtools'],
              message: 'the api package stands alone: every other package builds on it',
            },
            {
              target: './operator/src',
              from: ['./media-node', './devtools'],
              message:
                'the operator image carries only the operator: no media-node or devtools code',
            },
            {
              target: './media-node/src',
              from: ['./operator', './devtools'],
              message:
                'the media node meets the operator only through @voicefleet/api and its config',
            },
            ...mediaNodeLayerZones,
          ],
        },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // Far above the house median (a source file ~75 lines, most well under 200): split it, or
      // say in the file why it is one unit. Blank lines and comments do not count.
      'max-lines': ['warn', { max: 500, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['warn', { max: 150, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // A Grafana dashboard is one declarative builder chain, read top to bottom like the panels.
    files: ['operator/src/monitoring/dashboards/*.ts'],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    // One folder of the operator talks to the API server; everything else reads its caches and
    // hands it writes. Types of the client's models are fine anywhere.
    files: ['operator/src/**/*.ts'],
    ignores: ['operator/src/kube/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@kubernetes/client-node',
              message: 'Only operator/src/kube talks to the API server: use `import type` here.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // Plain JavaScript tooling (the test runner and reporter) sits outside the TS project.
    files: ['**/*.mjs', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
