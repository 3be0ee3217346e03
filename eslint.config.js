// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'coverage/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'bin/ergo.mjs'] },
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // Dependencies point inward (ENGINEERING.md §1): domain imports nothing of ours but domain.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['#src/*', '!#src/domain/**'],
              message: 'domain/ is pure: import only from #src/domain.',
            },
            {
              group: ['fastify', 'kysely', 'pg', '@electric-sql/*'],
              message: 'domain/ has no I/O.',
            },
          ],
        },
      ],
    },
  },
  {
    // The CRM emulators are test and demo tooling, not product code: only the composition root
    // (main.ts, demo mode, by a dynamic import) and tests may load them.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/main.ts', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['#emulators/*'], message: 'emulators/ is not product code.' }] },
      ],
    },
  },
  {
    // The emulators are given their data (emulator-accounts.ts): they import only the pure domain.
    files: ['emulators/**/*.ts'],
    ignores: ['emulators/run-emulators.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['#src/*', '!#src/domain/**', '#tests/*'],
              message: 'Emulators import only #src/domain; their data is passed in.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only repositories (and the db layer itself) touch Kysely.
    files: ['src/services/**/*.ts', 'src/http/**/*.ts', 'src/cli/**/*.ts', 'src/jobs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['kysely', 'pg', '@electric-sql/*'], message: 'SQL lives in repositories/.' },
          ],
        },
      ],
    },
  },
  {
    // The web app: features import shared code and the pure domain, never the app shell or the
    // server (Bulletproof React: shared → features → app).
    files: ['src/web/features/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['#src/web/app/*'], message: 'features/ must not import the app shell.' },
            {
              group: [
                '#src/*',
                '!#src/web/**',
                '!#src/domain/crm.ts',
                '!#src/domain/errors.ts',
                '!#src/domain/settings/*',
              ],
              message: 'The web app imports only the pure shared domain.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/web/components/**/*.{ts,tsx}', 'src/web/lib/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['#src/web/features/*', '#src/web/app/*'],
              message: 'shared code must not import features or the app.',
            },
            {
              group: [
                '#src/*',
                '!#src/web/**',
                '!#src/domain/crm.ts',
                '!#src/domain/errors.ts',
                '!#src/domain/settings/*',
              ],
              message: 'The web app imports only the pure shared domain.',
            },
          ],
        },
      ],
    },
  },
  {
    // Fastify plugins and handlers are async by contract, with or without an await.
    files: ['src/http/**/*.ts', 'tests/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: [
      'src/cli/**/*.ts',
      'src/main.ts',
      'scripts/**/*.ts',
      'tests/**/*.ts',
      'emulators/run-emulators.ts',
    ],
    rules: { 'no-console': 'off' },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
