import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteTokenOf } from '#tests/support/smtp-test-server.ts';
import { loginAs, request, type Agent } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';
import {
  PUBLIC_URL,
  buildInvitationApp,
  freshEmail,
  type InvitationApp,
} from '#tests/integration/invitations/invitation-app.ts';

interface Outbox {
  messages: { to: string; subject: string; text: string; createdAt: string }[];
}

async function inviteAs(t: InvitationApp, agent: Agent, email: string) {
  const response = await request(t.app, agent, 'POST', '/api/invitations', {
    email,
    name: 'Outbox Reader',
    role: 'member',
    teamIds: [],
  });
  expect(response.statusCode, response.body).toBe(201);
}

describe('the mail outbox in demo mode (no SMTP)', () => {
  let database: TestDatabase;
  let t: InvitationApp;
  beforeAll(async () => {
    database = await createTestDatabase();
    t = await buildInvitationApp(database, { mail: 'outbox', demo: true });
  });
  afterAll(async () => {
    await t.close();
    await database.close();
  });

  it('keeps the invitation, shows it to anyone at /api/dev/outbox (newest first), and the log points there without the token', async () => {
    const admin = await loginAs(t.app, 'admin@acme.test');
    const first = freshEmail('outbox-a');
    const second = freshEmail('outbox-b');
    await inviteAs(t, admin, first);
    await inviteAs(t, admin, second);

    const response = await request(t.app, undefined, 'GET', '/api/dev/outbox');
    expect(response.statusCode).toBe(200);
    const { messages } = response.json<Outbox>();
    expect(messages.map((m) => m.to).slice(0, 2)).toEqual([second, first]);
    expect(messages[0]).toMatchObject({ subject: "You're invited to Acme on Ergo" });
    const token = inviteTokenOf(messages[0] ?? { text: '' });
    expect(messages[0]?.text).toContain(`${PUBLIC_URL}/invite?token=`);

    // The kept link works like a mailed one.
    const preview = await request(t.app, undefined, 'GET', `/api/invitations/${token}`);
    expect(preview.json()).toMatchObject({ email: second, organizationName: 'Acme' });

    const logs = t.logs.join('');
    expect(logs).toContain(
      `invitation sent to ${second} (no SMTP configured: read it at /dev/outbox)`,
    );
    expect(logs).not.toContain(token);
  });
});

describe('the mail outbox outside demo mode', () => {
  let database: TestDatabase;
  let t: InvitationApp;
  beforeAll(async () => {
    database = await createTestDatabase();
    t = await buildInvitationApp(database, { mail: 'outbox' });
  });
  afterAll(async () => {
    await t.close();
    await database.close();
  });

  it("is for admins only, each seeing their own organization's mail", async () => {
    const acme = await loginAs(t.app, 'admin@acme.test');
    const globex = await loginAs(t.app, 'admin@globex.test');
    const acmeMail = freshEmail('acme');
    const globexMail = freshEmail('globex');
    await inviteAs(t, acme, acmeMail);
    await inviteAs(t, globex, globexMail);

    expect((await request(t.app, undefined, 'GET', '/api/dev/outbox')).statusCode).toBe(401);
    const rep = await loginAs(t.app, 'rep1@acme.test');
    expect((await request(t.app, rep, 'GET', '/api/dev/outbox')).statusCode).toBe(403);
    const acmeView = (await request(t.app, acme, 'GET', '/api/dev/outbox')).json<Outbox>();
    expect(acmeView.messages.map((m) => m.to)).toEqual([acmeMail]);
    const globexView = (await request(t.app, globex, 'GET', '/api/dev/outbox')).json<Outbox>();
    expect(globexView.messages.map((m) => m.to)).toEqual([globexMail]);
  });
});

describe('a mail server that is down', () => {
  let database: TestDatabase;
  let t: InvitationApp;
  beforeAll(async () => {
    database = await createTestDatabase();
    t = await buildInvitationApp(database, { mail: 'unreachable' });
  });
  afterAll(async () => {
    await t.close();
    await database.close();
  });

  it('still answers 201 with mailSent false (the invitation is committed and can be resent), and logs the failure', async () => {
    const admin = await loginAs(t.app, 'admin@acme.test');
    const email = freshEmail('down');
    const response = await request(t.app, admin, 'POST', '/api/invitations', {
      email,
      name: 'Down Mail',
      role: 'member',
      teamIds: [],
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ email, status: 'invited', mailSent: false });
    const { userId } = response.json<{ userId: string }>();
    const resent = await request(t.app, admin, 'POST', `/api/members/${userId}/invitation/resend`);
    expect(resent.statusCode).toBe(200);
    expect(resent.json()).toMatchObject({ mailSent: false, sentCount: 2 });
    expect(t.logs.join('')).toContain(`invitation to ${email} could not be sent`);
  });
});
