import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Starts the real entry point (`npm start` runs the same command) as a child process. */
function startApp(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      resolve(code);
    }),
  );
  return { child, output: () => output, exited };
}

async function waitFor(
  predicate: () => boolean,
  timeoutMs: number,
  what: string,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
