import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { insertLoginOrganization, TEST_PASSWORD } from '#tests/support/accounts.ts';
import { buildTestApp, loginAs, type TestApp } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Issue 9.9: once shutdown begins, a request in flight finishes (its sync commits whole) and a
 * new request is refused with a problem+json 503 `service_unavailable`, before it touches the
 * database. (The real process on SIGTERM: tests/e2e/shutdown.test.ts.)
 */
let database: TestDatabase;
let testApp: TestApp;
let uow: UnitOfWork;

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database);
  uow = createUnitOfWork(database.db);
});
afterAll(async () => {
  await database.close();
});

describe('graceful shutdown', () => {
  it('finishes the sync in flight, refuses new requests with 503, then closes', async () => {
    const org = await insertLoginOrganization(uow);
    const member = await org.addUser();
    const admin = await loginAs(testApp.app, org.primaryAdmin.email, TEST_PASSWORD);

    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked = (): void => undefined;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // Hold the member's dashboard row, so the sync waits mid-request.
    const blocker = uow.transaction(async (repos) => {
      await repos.dashboards.lockForUpdate(member.id);
      locked();
      await held;
    });
    await isLocked;
    await testApp.app.listen({ host: '127.0.0.1', port: 0 });
    const address = testApp.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    // One keep-alive connection: the sync (waits on the lock), then, once shutdown has begun,
    // a second request on the same connection.
    const body = JSON.stringify({ categories: ['company_details'] });
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const ended = new Promise<void>((resolve) =>
      socket.on('close', () => {
        resolve();
      }),
    );
    socket.write(
      `POST /api/members/${member.id}/sync-settings HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Cookie: ${admin.cookie}\r\nX-CSRF-Token: ${admin.csrfToken}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closed = testApp.app.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.write(`GET /api/health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    // No new connection is accepted once shutdown began.
    await expect(fetch(`http://127.0.0.1:${port}/api/health/live`)).rejects.toThrow();

    release();
    await blocker;
    await ended;
    await closed;
    const responses = received.split(/(?=HTTP\/1\.1 )/);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(responses[0]).toContain('"syncId"');
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503 /);
    expect(responses[1]).toMatch(/content-type: application\/problem\+json/i);
    expect(responses[1]).toContain('"code":"service_unavailable"');
    const runs = await uow.read.syncRuns.list(org.organizationId, {
      memberId: member.id,
      limit: 10,
    });
    expect(runs.map((r) => r.status)).toEqual(['applied']);
  });
});
