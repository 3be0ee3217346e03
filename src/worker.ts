/**
 * `npm run worker`: a process that runs bulk-run batches only (no HTTP server), against the
 * PostgreSQL of DATABASE_URL. `npm start` runs web and worker in one process by default.
 */
process.env.ERGO_ROLE ??= 'worker';
await import('#src/main.ts');
