import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '#src/db/migrator.ts';
import { buildTestApp, type TestApp } from '#tests/support/test-app.ts';
import { createTestDatabase, testEngine, type TestDatabase } from '#tests/support/test-database.ts';

let database: TestDatabase;
let testApp: TestApp;

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database);
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

describe('GET /api/health', () => {
  it('reports the database engine and that no migration is pending', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ok',
      database: testEngine,
      migrations: {
        applied: Object.keys(MIGRATIONS).length,
        pending: [],
        latest: Object.keys(MIGRATIONS).at(-1),
      },
    });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers 503 when the database is gone', async () => {
    const gone = await createTestDatabase();
    const other = await buildTestApp(gone);
    await gone.close();
    const response = await other.app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'unavailable' });
    await other.app.close();
  });
});

describe('errors', () => {
  it('an anonymous request to any non-public API route is a problem+json 401, before input is validated', async () => {
    for (const [method, url] of [
      ['GET', '/api/nope?token=x'],
      ['PATCH', '/api/members/x'],
    ] as const) {
      const response = await testApp.app.inject({
        method,
        url,
        payload: method === 'GET' ? undefined : 'null',
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 401, code: 'unauthenticated' });
    }
  });
});

describe('logs', () => {
  it('redact authorization headers and cookies', async () => {
    testApp.logs.length = 0;
    await testApp.app.inject({
      method: 'GET',
      url: '/api/health',
      headers: {
        authorization: 'Bearer pat-na1-super-secret',
        cookie: 'ergo_session=abc123secret',
      },
    });
    const text = testApp.logs.join('\n');
    expect(text).toContain('incoming request');
    expect(text).not.toContain('pat-na1-super-secret');
    expect(text).not.toContain('abc123secret');
  });
});
