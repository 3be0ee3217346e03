import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startApp, waitFor } from '#tests/support/app-process.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('start-up', () => {
  it('exits non-zero naming every invalid variable', async () => {
    const app = startApp({
      PORT: 'abc',
      DATABASE_URL: 'mysql://db/x',
      ERGO_SECRET_KEY: 'c2hvcnQ=',
    });
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/invalid configuration/);
    for (const name of ['PORT', 'DATABASE_URL', 'ERGO_SECRET_KEY'])
      expect(app.output()).toContain(`${name}:`);
  });

  it('refuses to start in production without ERGO_SECRET_KEY', async () => {
    const app = startApp({ NODE_ENV: 'production', DATABASE_URL: 'postgres://u@127.0.0.1:1/x' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('ERGO_SECRET_KEY: is required in production');
  });

  it('serves /api/health on embedded PGlite with demo data, and a second start reuses the data', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ergo-start-'));
    dirs.push(dataDir);
    for (const run of ['first', 'second'] as const) {
      const app = startApp({ ERGO_DATA_DIR: dataDir, PORT: '0' });
      await waitFor(
        () => /is running at http:\/\/127\.0\.0\.1:\d+/.test(app.output()),
        60_000,
        'the server',
        app.output,
      );
      const url = /is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(app.output())?.[1] ?? '';
      const response = await fetch(`${url}/api/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', database: 'pglite' });
      expect(app.output()).toContain(
        run === 'first' ? 'demo data created' : 'demo data already present',
      );
      expect(app.output()).toContain('admin@acme.test');
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
    }
  }, 120_000);
});
