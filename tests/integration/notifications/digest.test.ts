import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '#src/services/mail/smtp-mailer.ts';
import { sendNotificationDigests } from '#src/services/notifications/digest.service.ts';
import { syncSettings } from '#src/services/sync/sync-settings.service.ts';
import { makeCrmConnection } from '#tests/factories/crm-connection.factory.ts';
import { insertUserWithDashboard } from '#tests/factories/dashboard.factory.ts';
import { insertOrganizationWithPeople } from '#tests/factories/organization.factory.ts';
import { TEST_PASSWORD } from '#tests/factories/password.factory.ts';
import { makeAdminSettings, makeMemberSettings } from '#tests/factories/settings.factory.ts';
import { describeResponse } from '#tests/integration/http/support/http.ts';
import { keyring } from '#tests/integration/sync/fixtures.ts';
import { startSmtpTestServer, type SmtpTestServer } from '#tests/support/smtp-test-server.ts';
import { buildTestApp, loginAs, request, type TestApp } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * The optional email digest of notifications (issue 16), over real SMTP (a local SMTP server):
 * off by default; once a member chooses it, a digest run mails their unread notifications once,
 * in the bell's sentences, never a secret; a mail that could not be sent is tried again.
 */
let database: TestDatabase;
let testApp: TestApp;
let smtp: SmtpTestServer;
let orgId: string;
let adminId: string;
const ADMIN_KEYS = [makeCrmConnection('hubspot')];

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database, { keyring });
  smtp = await startSmtpTestServer();
  const org = await insertOrganizationWithPeople(testApp.deps.uow, keyring, {
    teams: ['Sales'],
    primaryAdmin: { name: 'Olga Owner', crm: ADMIN_KEYS },
    admins: [{ name: 'Ada Admin', teams: ['Sales'], settings: makeAdminSettings() }],
  });
  orgId = org.organizationId;
  adminId = org.admins[0]?.id ?? '';
});

afterAll(async () => {
  await testApp.app.close();
  await smtp.close();
  await database.close();
});

async function memberWithChange(digest: boolean) {
  const email = `digest-${randomUUID().slice(0, 8)}@example.test`;
  const user = await insertUserWithDashboard(testApp.deps.uow, keyring, orgId, {
    name: 'Dee Digest',
    email,
    canLogIn: true,
    settings: makeMemberSettings(),
  });
  const agent = await loginAs(testApp.app, email, TEST_PASSWORD);
  if (digest) {
    const put = await request(testApp.app, agent, 'PUT', '/api/me/notification-preferences', {
      emailDigest: true,
    });
    expect(put.statusCode, describeResponse(put)).toBe(200);
    expect(put.json()).toEqual({ emailDigest: true });
  }
  await syncSettings(
    { uow: testApp.deps.uow, keyring },
    { actorId: adminId },
    { targetUserId: user.id, categories: ['pipeline_stages'] },
  );
  return { user, email, agent };
}

describe('email digest of notifications', () => {
  it('is off by default: nothing is mailed', async () => {
    const { email, agent } = await memberWithChange(false);
    const read = await request(testApp.app, agent, 'GET', '/api/me/notification-preferences');
    expect(read.json()).toEqual({ emailDigest: false });
    const mailer = createSmtpMailer(smtp.url, 'Ergo <no-reply@ergo.test>');
    await sendNotificationDigests({ uow: testApp.deps.uow, mailer });
    mailer.close();
    expect(smtp.messages.filter((m) => m.to.includes(email))).toEqual([]);
  });

  it('once chosen, a digest run mails the unread notifications once, in the bell sentences, with no secret', async () => {
    const { email } = await memberWithChange(true);
    const mailer = createSmtpMailer(smtp.url, 'Ergo <no-reply@ergo.test>');
    const deps = { uow: testApp.deps.uow, mailer, publicUrl: 'https://ergo.example' };
    expect(await sendNotificationDigests(deps)).toBeGreaterThanOrEqual(1);
    const mail = await smtp.waitFor(email);
    expect(mail.subject).toBe('Ergo: 1 unread notification');
    expect(mail.text).toContain('- Ada Admin synced Pipeline stages to your dashboard.');
    expect(mail.text).toContain('https://ergo.example/notifications');
    for (const c of ADMIN_KEYS) {
      for (const secret of Object.values(c.secrets)) expect(mail.text).not.toContain(secret);
    }
    // A second run mails nothing more.
    const before = smtp.messages.filter((m) => m.to.includes(email)).length;
    await sendNotificationDigests(deps);
    mailer.close();
    expect(smtp.messages.filter((m) => m.to.includes(email)).length).toBe(before);
  });

  it('a mail that could not be sent is given back and sent by the next run', async () => {
    const { user, email } = await memberWithChange(true);
    const unreachable = createSmtpMailer('smtp://127.0.0.1:9', 'Ergo <no-reply@ergo.test>');
    await sendNotificationDigests({ uow: testApp.deps.uow, mailer: unreachable });
    unreachable.close();
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from notifications
       where user_id = ${user.id} and emailed_at is null`.execute(database.db);
    expect(rows[0]?.n).toBe(1);
    const mailer = createSmtpMailer(smtp.url, 'Ergo <no-reply@ergo.test>');
    await sendNotificationDigests({ uow: testApp.deps.uow, mailer });
    mailer.close();
    expect((await smtp.waitFor(email)).subject).toBe('Ergo: 1 unread notification');
  });

  it('PUT with anything but { emailDigest: boolean } is refused and changes nothing', async () => {
    const { user, agent } = await memberWithChange(false);
    const bad = await request(testApp.app, agent, 'PUT', '/api/me/notification-preferences', {
      emailDigest: 'yes',
    });
    expect(bad.statusCode).toBe(400);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from notification_preferences where user_id = ${user.id}`.execute(
      database.db,
    );
    expect(rows[0]?.n).toBe(0);
  });
});
