import { defineConfig } from 'vitest/config';

/**
 * Two projects run the same integration suite: `pglite` always, `postgres` when
 * TEST_DATABASE_URL is set (ADR 0004). Unit tests (src/**, emulators/**) run once, in the pglite
 * project.
 */
const integration = ['tests/integration/**/*.test.ts'];
/** Faults only a PostgreSQL server can have (an ended connection): the postgres project only. */
const postgresOnly = 'tests/integration/postgres-only/**';
const withPostgres = Boolean(process.env.TEST_DATABASE_URL);

export default defineConfig({
  test: {
    maxWorkers: 2,
    // A worker keeps its loaded modules from one test file to the next (the app's modules load
    // once per worker, not once per file: ~2 minutes of a run). Files share no state through
    // them: each builds its own app, database and browser, and setup.ts restores every spy.
    isolate: false,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'pglite',
          include: [
            'src/**/*.test.ts',
            'emulators/**/*.test.ts',
            'tests/e2e/**/*.test.ts',
            ...integration,
          ],
          exclude: [postgresOnly],
          env: { ERGO_TEST_ENGINE: 'pglite' },
          globalSetup: ['./tests/support/global-setup.ts'],
          setupFiles: ['./tests/support/setup.ts'],
        },
      },
      ...(withPostgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: integration,
                env: { ERGO_TEST_ENGINE: 'postgres' },
                globalSetup: ['./tests/support/global-setup.ts'],
                setupFiles: ['./tests/support/setup.ts'],
              },
            },
          ]
        : []),
    ],
  },
});
