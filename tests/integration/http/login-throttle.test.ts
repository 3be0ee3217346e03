import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
import { insertLoginOrganization, TEST_PASSWORD } from '#tests/support/accounts.ts';
import { buildTestApp, type TestApp } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Issue 9.4: failed-login throttling lives in the database — shared by every process, kept
 * across restarts — and counts per account *and* client address, so failures from one address
 * never lock the owner out at another. The address is the socket's, or X-Forwarded-For only
 * from a configured trusted proxy.
 */
let database: TestDatabase;
const apps: TestApp[] = [];
let emails: string[] = [];

const LIMITS = { maxPerAccountAndAddress: 5 };

async function app(options: Parameters<typeof buildTestApp>[1] = {}): Promise<TestApp> {
  const built = await buildTestApp(database, { throttleLimits: LIMITS, ...options });
  apps.push(built);
  return built;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const uow = createUnitOfWork(database.db);
  const org = await insertLoginOrganization(uow);
  emails = await Promise.all(Array.from({ length: 5 }, async () => (await org.addUser()).email));
});
afterAll(async () => {
  for (const a of apps) await a.app.close();
  await database.close();
});

function login(
  target: TestApp,
  email: string,
  password: string,
  from = '203.0.113.7',
  headers: Record<string, string> = {},
) {
  return target.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
    remoteAddress: from,
    headers,
  });
}

describe('login throttling', () => {
  it('is shared by two app processes on one database: 5 failures alternated across them, then 429 on both', async () => {
    const [a, b] = [await app(), await app()];
    const email = emails[0] ?? '';
    for (let i = 0; i < 5; i += 1) {
      const response = await login(i % 2 === 0 ? a : b, email, 'wrong');
      expect(response.statusCode).toBe(401);
    }
    for (const either of [a, b]) {
      const blocked = await login(either, email, TEST_PASSWORD);
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json()).toMatchObject({ code: 'rate_limited' });
      const retryAfter = Number(blocked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    }
  });

  it('is kept across a restart: a locked account is still locked in a new process', async () => {
    const first = await app();
    const email = emails[1] ?? '';
    for (let i = 0; i < 5; i += 1) await login(first, email, 'wrong');
    await first.app.close();
    apps.splice(apps.indexOf(first), 1);
    const restarted = await app();
    expect((await login(restarted, email, TEST_PASSWORD)).statusCode).toBe(429);
  });

  it('failures from one address do not lock the owner out at another', async () => {
    const server = await app();
    const email = emails[2] ?? '';
    for (let i = 0; i < 5; i += 1) await login(server, email, 'wrong', '198.51.100.1');
    expect((await login(server, email, TEST_PASSWORD, '198.51.100.1')).statusCode).toBe(429);
    expect((await login(server, email, TEST_PASSWORD, '198.51.100.2')).statusCode).toBe(200);
  });

  it('X-Forwarded-For is ignored unless the request comes from a trusted proxy', async () => {
    const direct = await app();
    const email = emails[3] ?? '';
    // An attacker rotating X-Forwarded-For still counts as its socket address.
    for (let i = 0; i < 5; i += 1) {
      await login(direct, email, 'wrong', '192.0.2.50', { 'x-forwarded-for': `10.1.1.${i}` });
    }
    expect((await login(direct, email, TEST_PASSWORD, '192.0.2.50')).statusCode).toBe(429);

    const proxied = await app({ trustProxy: ['127.0.0.1'] });
    const other = emails[4] ?? '';
    for (let i = 0; i < 5; i += 1) {
      await login(proxied, other, 'wrong', '127.0.0.1', { 'x-forwarded-for': '192.0.2.60' });
    }
    const sameClient = await login(proxied, other, TEST_PASSWORD, '127.0.0.1', {
      'x-forwarded-for': '192.0.2.60',
    });
    expect(sameClient.statusCode).toBe(429);
    const otherClient = await login(proxied, other, TEST_PASSWORD, '127.0.0.1', {
      'x-forwarded-for': '192.0.2.61',
    });
    expect(otherClient.statusCode).toBe(200);
  });
});
