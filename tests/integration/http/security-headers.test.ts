import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
import { insertLoginOrganization, TEST_PASSWORD } from '#tests/support/accounts.ts';
import { buildTestApp, type TestApp } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Issue 9.10: the console that handles CRM keys is served with a Content-Security-Policy
 * (same origin only, no inline script, no framing), HSTS and a `__Host-` session cookie when
 * cookies are Secure (production), and HEAD answered wherever GET is. Plus the health split.
 */
let database: TestDatabase;
let webRoot: string;
let local: TestApp;
let production: TestApp;
let ownerEmail: string;

beforeAll(async () => {
  database = await createTestDatabase();
  webRoot = await mkdtemp(path.join(tmpdir(), 'ergo-web-'));
  await writeFile(path.join(webRoot, 'index.html'), '<!doctype html><title>Ergo Admin</title>');
  local = await buildTestApp(database, { webRoot });
  production = await buildTestApp(database, { webRoot, secureCookies: true });
  ownerEmail = (await insertLoginOrganization(createUnitOfWork(database.db))).primaryAdmin.email;
});
afterAll(async () => {
  await local.app.close();
  await production.app.close();
  await database.close();
  await rm(webRoot, { recursive: true, force: true });
});

function directives(header: unknown): Map<string, string[]> {
  return new Map(
    String(header)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name = '', ...values]) => [name, values]),
  );
}

describe('Content-Security-Policy', () => {
  it.each(['/', '/admin', '/api/health'])(
    '%s: default-src self, no inline script, frame-ancestors none',
    async (url) => {
      const response = await local.app.inject({ method: 'GET', url });
      const csp = directives(response.headers['content-security-policy']);
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(String(response.headers['content-security-policy'])).not.toContain('unsafe-inline');
    },
  );

  it('the API reference may use inline styles, never inline scripts', async () => {
    const response = await local.app.inject({ method: 'GET', url: '/api/docs/static/index.html' });
    const csp = directives(response.headers['content-security-policy']);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toContain("'unsafe-inline'");
  });

  it('sends nosniff, no-referrer and X-Frame-Options DENY', async () => {
    const response = await local.app.inject({ method: 'GET', url: '/' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-frame-options']).toBe('DENY');
  });
});

describe('HSTS and the session cookie', () => {
  it('without Secure cookies (local development): no HSTS, cookie ergo_session', async () => {
    const page = await local.app.inject({ method: 'GET', url: '/' });
    expect(page.headers['strict-transport-security']).toBeUndefined();
    const login = await local.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: ownerEmail, password: TEST_PASSWORD },
    });
    expect(String(login.headers['set-cookie'])).toMatch(/^ergo_session=/);
  });

  it('with Secure cookies (production): HSTS for two years, cookie __Host-ergo_session; Secure; Path=/', async () => {
    const page = await production.app.inject({ method: 'GET', url: '/' });
    expect(page.headers['strict-transport-security']).toMatch(
      /max-age=63072000; includeSubDomains/,
    );
    const login = await production.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: ownerEmail, password: TEST_PASSWORD },
    });
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-ergo_session=/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    const token = /^(__Host-ergo_session=[^;]+)/.exec(cookie)?.[1] ?? '';
    const me = await production.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: token },
    });
    expect(me.statusCode).toBe(200);
  });
});

describe('HEAD wherever GET', () => {
  it.each([
    '/',
    '/admin/members',
    '/api/health',
    '/api/health/live',
    '/api/health/ready',
    '/api/openapi.json',
  ])('HEAD %s answers like GET, without a body', async (url) => {
    const get = await local.app.inject({ method: 'GET', url });
    const head = await local.app.inject({ method: 'HEAD', url });
    expect(head.statusCode).toBe(get.statusCode);
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });
});

describe('health', () => {
  it('GET /api/health/live answers without touching the database', async () => {
    const gone = await createTestDatabase();
    const app = await buildTestApp(gone);
    await gone.close();
    const live = await app.app.inject({ method: 'GET', url: '/api/health/live' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toMatchObject({ status: 'ok' });
    const ready = await app.app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(ready.statusCode).toBe(503);
    await app.app.close();
  });

  it('GET /api/health is an alias of /api/health/ready', async () => {
    const ready = await local.app.inject({ method: 'GET', url: '/api/health/ready' });
    const alias = await local.app.inject({ method: 'GET', url: '/api/health' });
    expect(ready.statusCode).toBe(200);
    expect(alias.json()).toEqual(ready.json());
  });
});
