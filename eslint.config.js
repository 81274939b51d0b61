// Lint rules: typescript-eslint's type-aware recommended set, plus the house rules that a linter
// can check: no unjustified `any`, no deep imports across folders, the environment read by config/
// alone, no usage errors from the sources (docs/ARCHITECTURE.md names the others).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * A folder's API is its index.ts, from any depth: src/broker/codec.ts must not be imported from
 * src/store/ nor from src/store/rollup/.
 */
const THROUGH_INDEX = {
  regex: '^(\\.\\./)+[a-z-]+/(?!index\\.js$).+',
  message: 'Import another folder through its index.ts.',
};

/**
 * drizzle's functions come from src/store/drizzle.ts, which loads its CommonJS build: one build of
 * drizzle in a process, and none of the CPU Node 22 and 24 spend importing its ES modules.
 */
const DRIZZLE_VALUES = {
  group: ['drizzle-orm', 'drizzle-orm/*'],
  allowTypeImports: true,
  message:
    "Take drizzle's functions from src/store/drizzle.ts (it says why); types may come from drizzle-orm.",
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'drizzle/',
      'test-artifacts/',
      'bench/out/',
      '.dependency-cruiser.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', 'bin/*.js', 'src/dashboard/static/*.js', 'bench/memory/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [THROUGH_INDEX, DRIZZLE_VALUES] }],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Only config/ reads the environment: take the value from the Config it builds.',
        },
      ],
    },
  },
  {
    files: ['src/store/drizzle.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [DRIZZLE_VALUES] }] },
  },
  {
    files: ['src/config/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['src/sources/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            THROUGH_INDEX,
            DRIZZLE_VALUES,
            {
              regex: '^(\\.\\./)+errors\\.js$',
              importNames: ['UsageError'],
              message: 'Sources know files, not options: throw an InputError; the CLI speaks of options.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // node:test's describe/test return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { URL: 'readonly', process: 'readonly', console: 'readonly' } },
  },
);
