import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#src/config/logger.ts';
import { databaseHealth } from '#src/db/health.ts';
import { buildApp } from '#src/http/app.ts';
import { createTestDatabase, testEngine, type TestDatabase } from '#tests/support/test-database.ts';

let database: TestDatabase;
const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    lines.push(chunk.toString());
    callback();
  },
});

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

async function app() {
  return buildApp({
    logger: createLogger({ logLevel: 'info' }, sink),
    version: '0.0.0-test',
    health: () => databaseHealth(database),
  });
}

describe('GET /api/health', () => {
  it('reports the database engine and that no migration is pending', async () => {
    const server = await app();
    const response = await server.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ok',
      database: testEngine,
      migrations: { applied: 1, pending: [], latest: '20261127180000_initial_schema' },
    });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    await server.close();
  });

  it('answers 503 when the database is gone', async () => {
    const server = await buildApp({
      logger: createLogger({ logLevel: 'silent' }),
      version: '0.0.0-test',
      health: async () => {
        const gone = await createTestDatabase();
        await gone.close();
        return databaseHealth(gone);
      },
    });
    const response = await server.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'unavailable' });
    await server.close();
  });
});

describe('errors', () => {
  it('an unknown route is a problem+json 404 with a stable code', async () => {
    const server = await app();
    const response = await server.inject({ method: 'GET', url: '/api/nope?token=x' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 404,
      code: 'not_found',
      detail: 'No route for GET /api/nope.',
    });
    await server.close();
  });
});

describe('logs', () => {
  it('redact authorization headers and cookies', async () => {
    const server = await app();
    lines.length = 0;
    await server.inject({
      method: 'GET',
      url: '/api/health',
      headers: {
        authorization: 'Bearer pat-na1-super-secret',
        cookie: 'ergo_session=abc123secret',
      },
    });
    await server.close();
    const text = lines.join('\n');
    expect(text).toContain('incoming request');
    expect(text).not.toContain('pat-na1-super-secret');
    expect(text).not.toContain('abc123secret');
  });
});
