import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
import { seedDemo } from '#src/services/demo/seed-demo.service.ts';
import { buildTestApp, loginAs, request, type TestApp } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

let database: TestDatabase;
let testApp: TestApp;

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database, {
    throttleLimits: { maxPerAccountAndAddress: 3 },
  });
  await seedDemo(createUnitOfWork(database.db), testApp.keyring);
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

describe('authentication', () => {
  it('logs in with email and password: an HttpOnly SameSite=Lax session cookie and a CSRF token', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'Admin@Acme.test', password: 'demo-password' },
    });
    expect(response.statusCode).toBe(200);
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/^ergo_session=[\w-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(response.json()).toMatchObject({
      user: { email: 'admin@acme.test', role: 'admin' },
      csrfToken: expect.any(String) as string,
    });
    expect(response.body).not.toContain('password');
  });

  it('gives a new session id at every login', async () => {
    const first = await loginAs(testApp.app, 'rep2@acme.test');
    const second = await loginAs(testApp.app, 'rep2@acme.test');
    expect(first.cookie).not.toBe(second.cookie);
  });

  it('answers an unknown email and a wrong password with the same message', async () => {
    const unknown = await testApp.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'nobody@acme.test', password: 'x' },
    });
    const wrong = await testApp.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'rep3@acme.test', password: 'x' },
    });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json<{ detail: string }>().detail).toBe(wrong.json<{ detail: string }>().detail);
  });

  it('throttles failed logins per account', async () => {
    for (let i = 0; i < 3; i += 1) {
      await testApp.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'rep4@acme.test', password: 'wrong' },
      });
    }
    const blocked = await testApp.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'rep4@acme.test', password: 'demo-password' },
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ code: 'rate_limited' });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    await expect(loginAs(testApp.app, 'rep5@acme.test')).resolves.toBeDefined();
  });

  it('GET /api/me returns the user, organization and a CSRF token; anonymous is 401', async () => {
    const agent = await loginAs(testApp.app, 'owner@acme.test');
    const me = await request(testApp.app, agent, 'GET', '/api/me');
    expect(me.json()).toMatchObject({
      user: { email: 'owner@acme.test', role: 'primary_admin', hasDashboard: true },
      organization: { name: 'Acme' },
      csrfToken: agent.csrfToken,
    });
    const anonymous = await request(testApp.app, undefined, 'GET', '/api/me');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses a state-changing request without the CSRF header (403 csrf_failed) and accepts it with the header', async () => {
    const agent = await loginAs(testApp.app, 'admin@acme.test');
    const without = await testApp.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: agent.cookie },
    });
    expect(without.statusCode).toBe(403);
    expect(without.json()).toMatchObject({ code: 'csrf_failed' });
    const wrong = await testApp.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: agent.cookie, 'x-csrf-token': 'nope' },
    });
    expect(wrong.statusCode).toBe(403);
    const ok = await request(testApp.app, agent, 'POST', '/api/auth/logout');
    expect(ok.statusCode).toBe(204);
    expect((await request(testApp.app, agent, 'GET', '/api/me')).statusCode).toBe(401);
  });

  it('a deactivated user cannot log in, and their sessions end', async () => {
    const agent = await loginAs(testApp.app, 'rep6@acme.test');
    await database.db
      .updateTable('users')
      .set({ status: 'deactivated' })
      .where('email', '=', 'rep6@acme.test')
      .execute();
    expect((await request(testApp.app, agent, 'GET', '/api/me')).statusCode).toBe(401);
    const again = await testApp.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'rep6@acme.test', password: 'demo-password' },
    });
    expect(again.statusCode).toBe(403);
  });

  it('rejects a malformed login body with invalid_request and no stack trace', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 42 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'invalid_request' });
    expect(response.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('ends a session after the idle timeout and after the absolute timeout', async () => {
    let now = Date.now();
    const clock = await buildTestApp(database, {
      keyring: testApp.keyring,
      sessionPolicy: { idleTimeoutMs: 10 * 60_000, absoluteTimeoutMs: 60 * 60_000 },
      now: () => new Date(now),
    });
    try {
      const idle = await loginAs(clock.app, 'rep7@acme.test');
      now += 9 * 60_000;
      expect((await request(clock.app, idle, 'GET', '/api/me')).statusCode).toBe(200);
      now += 11 * 60_000;
      expect((await request(clock.app, idle, 'GET', '/api/me')).statusCode).toBe(401);

      const busy = await loginAs(clock.app, 'rep7@acme.test');
      for (let minutes = 0; minutes < 55; minutes += 5) {
        now += 5 * 60_000;
        expect((await request(clock.app, busy, 'GET', '/api/me')).statusCode).toBe(200);
      }
      now += 6 * 60_000;
      expect((await request(clock.app, busy, 'GET', '/api/me')).statusCode).toBe(401);
    } finally {
      await clock.app.close();
    }
  });
});
