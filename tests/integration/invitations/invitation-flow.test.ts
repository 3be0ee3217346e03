import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteTokenOf, inviteLinkOf } from '#tests/support/smtp-test-server.ts';
import { loginAs, request, type Agent } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';
import {
  PUBLIC_URL,
  agentOf,
  buildInvitationApp,
  freshEmail,
  type InvitationApp,
} from '#tests/integration/invitations/invitation-app.ts';

let database: TestDatabase;
let t: InvitationApp;
let admin: Agent;
const GOOD_PASSWORD = 'correct horse battery staple';

let webRoot: string;

beforeAll(async () => {
  database = await createTestDatabase();
  webRoot = await mkdtemp(path.join(tmpdir(), 'ergo-invite-web-'));
  await writeFile(path.join(webRoot, 'index.html'), '<!doctype html><title>Ergo</title>');
  t = await buildInvitationApp(database, { webRoot });
  admin = await loginAs(t.app, 'admin@acme.test');
});
afterAll(async () => {
  await t.close();
  await database.close();
  await rm(webRoot, { recursive: true, force: true });
});

/** A problem body without its per-request id. */
function problemOf(response: { json(): unknown }): Record<string, unknown> {
  const body = { ...(response.json() as Record<string, unknown>) };
  delete body.requestId;
  return body;
}

function smtp() {
  if (!t.smtp) throw new Error('this suite runs with the SMTP server');
  return t.smtp;
}

/** Invites `email` as the Acme admin and returns the response and the mail that arrived. */
async function invite(email: string, body: Record<string, unknown> = {}) {
  const before = smtp().messages.length;
  const response = await request(t.app, admin, 'POST', '/api/invitations', {
    email,
    name: 'New Hire',
    role: 'member',
    teamIds: [t.teams['Sales West']],
    ...body,
  });
  expect(response.statusCode, response.body).toBe(201);
  const mail = await smtp().waitFor(email, { after: before });
  return { response, mail, userId: response.json<{ userId: string }>().userId };
}

async function userRow(userId: string) {
  return database.db
    .selectFrom('users')
    .leftJoin('dashboards', 'dashboards.user_id', 'users.id')
    .select(['users.status', 'users.password_hash', 'users.role'])
    .select(sql<boolean>`dashboards.user_id is not null`.as('has_dashboard'))
    .where('users.id', '=', userId)
    .executeTakeFirstOrThrow();
}

async function invitationRows(userId: string) {
  return database.db
    .selectFrom('invitations')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

async function auditOf(userId: string) {
  return database.db
    .selectFrom('audit_log')
    .select(['action', 'outcome', 'details', 'actor_id'])
    .where('target_id', '=', userId)
    .orderBy('id')
    .execute();
}

describe('invite → SMTP → accept → Sync Settings', () => {
  it('the invitation arrives over SMTP; its link finishes setup, logs the member in, and Sync Settings then applies', async () => {
    const email = freshEmail('flow');
    const { response, mail, userId } = await invite(email, { name: 'Nora New' });
    const created = response.json<{
      userId: string;
      email: string;
      status: string;
      expiresAt: string;
    }>();
    expect(created).toMatchObject({ email, status: 'invited', mailSent: true });
    const days = (new Date(created.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);

    // The member exists at once, on the chosen team, without a dashboard.
    expect(await userRow(userId)).toMatchObject({
      status: 'invited',
      password_hash: null,
      role: 'member',
      has_dashboard: false,
    });
    const memberships = await database.db
      .selectFrom('team_members')
      .select('team_id')
      .where('user_id', '=', userId)
      .execute();
    expect(memberships.map((m) => m.team_id)).toEqual([t.teams['Sales West']]);

    // Until setup completion, Sync Settings answers dashboard_missing, as the guide says.
    const early = await request(t.app, admin, 'POST', `/api/members/${userId}/sync-settings`, {});
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'dashboard_missing' });

    // The mail: to the invitee, from the configured sender, with the link on the public URL.
    expect(mail.from).toMatch(/^"?Ergo"? <no-reply@ergo.test>$/);
    expect(mail.subject).toBe("You're invited to Acme on Ergo");
    expect(mail.text).toContain('Hi Nora New,');
    const link = inviteLinkOf(mail);
    expect(link.startsWith(`${PUBLIC_URL}/invite?token=`)).toBe(true);
    const token = inviteTokenOf(mail);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The link opens the console's /invite page, which reads the invitation.
    const page = await t.app.inject({ method: 'GET', url: link.slice(PUBLIC_URL.length) });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const preview = await request(t.app, undefined, 'GET', `/api/invitations/${token}`);
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toEqual({ email, name: 'Nora New', organizationName: 'Acme' });

    // A weak password is refused and changes nothing.
    const weak = await request(t.app, undefined, 'POST', `/api/invitations/${token}/accept`, {
      password: 'Password1234!',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ code: 'invalid_request' });
    expect(weak.json<{ detail: string }>().detail).toMatch(/too common/);
    expect(weak.headers['set-cookie']).toBeUndefined();
    expect(await userRow(userId)).toMatchObject({
      status: 'invited',
      password_hash: null,
      has_dashboard: false,
    });
    expect((await invitationRows(userId))[0]).toMatchObject({ accepted_at: null });

    // A good one finishes setup and starts a session as a login does.
    const accepted = await request(t.app, undefined, 'POST', `/api/invitations/${token}/accept`, {
      password: GOOD_PASSWORD,
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ user: { id: userId, email, status: 'active' } });
    expect(String(accepted.headers['set-cookie'])).toMatch(/^ergo_session=[^;]+;.*HttpOnly/);
    const member = agentOf(accepted);
    const me = await request(t.app, member, 'GET', '/api/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { id: userId, status: 'active', hasDashboard: true } });
    // The session's CSRF token works for writes.
    const logout = await request(t.app, member, 'POST', '/api/auth/logout');
    expect(logout.statusCode).toBe(204);

    const row = await userRow(userId);
    expect(row).toMatchObject({ status: 'active', has_dashboard: true });
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect((await invitationRows(userId))[0]?.accepted_at).toBeInstanceOf(Date);

    // The new password logs in.
    await loginAs(t.app, email, GOOD_PASSWORD);

    // And now Sync Settings to the new member applies.
    const synced = await request(t.app, admin, 'POST', `/api/members/${userId}/sync-settings`, {});
    expect(synced.statusCode, synced.body).toBe(200);
    expect(synced.json()).toMatchObject({ dryRun: false });

    // The link is single use.
    const again = await request(t.app, undefined, 'POST', `/api/invitations/${token}/accept`, {
      password: GOOD_PASSWORD,
    });
    expect(again.statusCode).toBe(410);
    expect(again.json()).toMatchObject({ code: 'invite_expired' });
    expect((await request(t.app, undefined, 'GET', `/api/invitations/${token}`)).statusCode).toBe(
      410,
    );

    const audit = await auditOf(userId);
    expect(audit.map((a) => `${a.action}:${a.outcome}`)).toEqual(
      expect.arrayContaining(['invitation.created:applied', 'invitation.accepted:applied']),
    );
    expect(audit.find((a) => a.action === 'invitation.created')).toMatchObject({
      actor_id: t.ids['admin@acme.test'],
      details: { role: 'member', teamIds: [t.teams['Sales West']] },
    });
    expect(audit.find((a) => a.action === 'invitation.accepted')).toMatchObject({
      actor_id: userId,
    });
    // The token is never logged nor audited; the log names the recipient.
    expect(JSON.stringify(audit)).not.toContain(token);
    expect(t.logs.join('')).not.toContain(token);
    expect(t.logs.join('')).toContain(`invitation sent to ${email}`);
  });
});

describe('resend and revoke', () => {
  it('resend sends a new link valid 7 more days, counts the send, and the old link stops working', async () => {
    const email = freshEmail('resend');
    const { mail, userId } = await invite(email);
    const oldToken = inviteTokenOf(mail);
    const [first] = await invitationRows(userId);
    // Pretend the first was sent two days ago, so the new expiry is visibly later.
    await database.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() + 5 * 86_400_000) })
      .where('user_id', '=', userId)
      .execute();

    const before = smtp().messages.length;
    const resent = await request(t.app, admin, 'POST', `/api/members/${userId}/invitation/resend`);
    expect(resent.statusCode, resent.body).toBe(200);
    expect(resent.json()).toMatchObject({ userId, sentCount: 2, mailSent: true });
    const newToken = inviteTokenOf(await smtp().waitFor(email, { after: before }));
    expect(newToken).not.toBe(oldToken);

    expect(
      (await request(t.app, undefined, 'GET', `/api/invitations/${oldToken}`)).statusCode,
    ).toBe(410);
    const accepted = await request(
      t.app,
      undefined,
      'POST',
      `/api/invitations/${oldToken}/accept`,
      {
        password: GOOD_PASSWORD,
      },
    );
    expect(accepted.statusCode).toBe(410);
    expect(
      (await request(t.app, undefined, 'GET', `/api/invitations/${newToken}`)).statusCode,
    ).toBe(200);

    const rows = await invitationRows(userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: first?.id, sent_count: 2, accepted_at: null });
    const days = ((rows[0]?.expires_at.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    const audit = await auditOf(userId);
    expect(audit.find((a) => a.action === 'invitation.resent')).toMatchObject({
      outcome: 'applied',
      details: { sentCount: 2 },
    });
    expect(JSON.stringify(audit)).not.toContain(newToken);
    expect(t.logs.join('')).not.toContain(newToken);
  });

  it('revoke stops the link; the member stays invited with no open invitation, and a resend opens a new one', async () => {
    const email = freshEmail('revoke');
    const { mail, userId } = await invite(email);
    const token = inviteTokenOf(mail);

    const revoked = await request(t.app, admin, 'DELETE', `/api/members/${userId}/invitation`);
    expect(revoked.statusCode).toBe(204);
    expect((await request(t.app, undefined, 'GET', `/api/invitations/${token}`)).statusCode).toBe(
      410,
    );
    expect(
      (
        await request(t.app, undefined, 'POST', `/api/invitations/${token}/accept`, {
          password: GOOD_PASSWORD,
        })
      ).statusCode,
    ).toBe(410);
    expect(await userRow(userId)).toMatchObject({ status: 'invited', has_dashboard: false });
    const rows = await invitationRows(userId);
    expect(rows.filter((r) => r.accepted_at === null && r.revoked_at === null)).toHaveLength(0);

    const twice = await request(t.app, admin, 'DELETE', `/api/members/${userId}/invitation`);
    expect(twice.statusCode).toBe(404);
    expect(twice.json()).toMatchObject({ code: 'not_found' });

    const audit = await auditOf(userId);
    expect(audit.map((a) => `${a.action}:${a.outcome}`)).toEqual(
      expect.arrayContaining(['invitation.revoked:applied', 'invitation.revoked:refused']),
    );

    const before = smtp().messages.length;
    const reopened = await request(
      t.app,
      admin,
      'POST',
      `/api/members/${userId}/invitation/resend`,
    );
    expect(reopened.statusCode).toBe(200);
    const fresh = inviteTokenOf(await smtp().waitFor(email, { after: before }));
    expect((await request(t.app, undefined, 'GET', `/api/invitations/${fresh}`)).statusCode).toBe(
      200,
    );
  });

  it("resend and revoke are refused for an active member (400), another organization's user (404) and by a member (403)", async () => {
    const active = await request(
      t.app,
      admin,
      'POST',
      `/api/members/${t.ids['rep1@acme.test']}/invitation/resend`,
    );
    expect(active.statusCode).toBe(400);
    expect(active.json<{ detail: string }>().detail).toMatch(/already finished setting up/);
    const foreign = await request(
      t.app,
      admin,
      'DELETE',
      `/api/members/${t.ids['rep1@globex.test']}/invitation`,
    );
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ code: 'target_not_found' });
    const rep = await loginAs(t.app, 'rep1@acme.test');
    const byMember = await request(
      t.app,
      rep,
      'POST',
      `/api/members/${t.ids['pending@acme.test']}/invitation/resend`,
    );
    expect(byMember.statusCode).toBe(403);
  });
});

describe('links that no longer work', () => {
  it('an expired link answers 410 invite_expired and accepting it changes nothing', async () => {
    const email = freshEmail('expired');
    const { mail, userId } = await invite(email);
    const token = inviteTokenOf(mail);
    await database.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', userId)
      .execute();
    const preview = await request(t.app, undefined, 'GET', `/api/invitations/${token}`);
    expect(preview.statusCode).toBe(410);
    expect(preview.json()).toMatchObject({ code: 'invite_expired' });
    const accept = await request(t.app, undefined, 'POST', `/api/invitations/${token}/accept`, {
      password: GOOD_PASSWORD,
    });
    expect(accept.statusCode).toBe(410);
    expect(await userRow(userId)).toMatchObject({
      status: 'invited',
      password_hash: null,
      has_dashboard: false,
    });
  });

  it('an unknown token reads exactly like an expired one', async () => {
    const unknown = await request(t.app, undefined, 'GET', `/api/invitations/${'A'.repeat(43)}`);
    expect(unknown.statusCode).toBe(410);
    const email = freshEmail('same');
    const { mail, userId } = await invite(email);
    await database.db
      .updateTable('invitations')
      .set({ expires_at: new Date(0) })
      .where('user_id', '=', userId)
      .execute();
    const expired = await request(
      t.app,
      undefined,
      'GET',
      `/api/invitations/${inviteTokenOf(mail)}`,
    );
    expect(problemOf(expired)).toEqual(problemOf(unknown));
  });
});

describe('invitation refusals change nothing', () => {
  async function counts() {
    const [users, invitations, members] = await Promise.all([
      database.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow(),
      database.db
        .selectFrom('invitations')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow(),
      database.db
        .selectFrom('team_members')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return [Number(users.n), Number(invitations.n), Number(members.n)];
  }

  async function refused(agent: Agent | undefined, body: Record<string, unknown>) {
    const before = await counts();
    const mails = smtp().messages.length;
    const response = await request(t.app, agent, 'POST', '/api/invitations', {
      email: freshEmail('refused'),
      name: 'Nobody',
      role: 'member',
      teamIds: [],
      ...body,
    });
    expect(await counts()).toEqual(before);
    expect(smtp().messages.length).toBe(mails);
    return response;
  }

  it('an email of another organization is email_taken (409) without naming that organization', async () => {
    const response = await refused(admin, { email: 'Admin@Globex.test' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      code: 'email_taken',
      detail: 'That email already has an Ergo account.',
    });
    expect(response.body).not.toMatch(/globex/i);
    const sameOrg = await refused(admin, { email: 'rep1@acme.test' });
    expect(sameOrg.statusCode).toBe(409);
    expect(problemOf(sameOrg)).toEqual(problemOf(response));
  });

  it('inviting as primary_admin is refused with 400', async () => {
    const response = await refused(admin, { role: 'primary_admin' });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ detail: string }>().detail).toMatch(/primary admin/);
  });

  it('a malformed email is refused with 400', async () => {
    for (const email of ['not-an-email', 'two@@at.test', 'spaces in@example.test', '']) {
      const response = await refused(admin, { email });
      expect(response.statusCode, email).toBe(400);
      expect(response.json()).toMatchObject({ code: 'invalid_request' });
    }
  });

  it('a team of another organization (or no team at all) is 404, and the user is not created', async () => {
    const foreign = await refused(admin, { teamIds: [t.teams['Sales']] });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ code: 'not_found' });
    const unknown = await refused(admin, { teamIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(unknown.statusCode).toBe(404);
    const garbage = await refused(admin, { teamIds: ['not-a-uuid'] });
    expect(garbage.statusCode).toBe(404);
  });

  it('a member may not invite (403), nor may an anonymous caller (401); an admin may (201, positive control)', async () => {
    const rep = await loginAs(t.app, 'rep1@acme.test');
    const byMember = await refused(rep, {});
    expect(byMember.statusCode).toBe(403);
    expect(byMember.json()).toMatchObject({ code: 'forbidden' });
    const anonymous = await refused(undefined, {});
    expect(anonymous.statusCode).toBe(401);
    const owner = await loginAs(t.app, 'owner@acme.test');
    const ok = await request(t.app, owner, 'POST', '/api/invitations', {
      email: freshEmail('control'),
      name: 'Control',
      role: 'admin',
      teamIds: [],
    });
    expect(ok.statusCode).toBe(201);
  });
});

describe('password rules (OWASP ASVS V6)', () => {
  it('refuses passwords under 12 or over 128 characters, with the email name or the organization name, or common; accepts a passphrase', async () => {
    const email = freshEmail('rules');
    const { mail, userId } = await invite(email);
    const token = inviteTokenOf(mail);
    const localPart = email.split('@')[0] ?? '';
    const cases: [string, RegExp][] = [
      ['short pass', /at least 12 characters/],
      ['x'.repeat(129), /at most 128 characters/],
      [`my ${localPart} secret!`, /email address/],
      ['we love ACME so much', /organization's name/],
      ['qwerty123456', /too common/],
      ['123456789012', /too common/],
      ['aaaaaaaaaaaaaaaa', /too common/],
    ];
    for (const [password, message] of cases) {
      const response = await request(t.app, undefined, 'POST', `/api/invitations/${token}/accept`, {
        password,
      });
      expect(response.statusCode, password).toBe(400);
      expect(response.json<{ detail: string }>().detail, password).toMatch(message);
    }
    expect(await userRow(userId)).toMatchObject({ status: 'invited', password_hash: null });
    // No composition rules: lower-case words only, 12 characters exactly, are fine.
    const ok = await request(t.app, undefined, 'POST', `/api/invitations/${token}/accept`, {
      password: 'violet tiger',
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });
});

describe('invited users and login', () => {
  it('an invited user without a password is told to finish setting up, not a bare error', async () => {
    const email = freshEmail('nopass');
    await invite(email);
    const response = await request(t.app, undefined, 'POST', '/api/auth/login', {
      email,
      password: 'whatever they typed',
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'setup_incomplete' });
    expect(response.json<{ detail: string }>().detail).toMatch(/^Finish setting up your account/);
  });

  it("an invited user with a password (the demo's pending@acme.test) gets a session, and /api/me says invited", async () => {
    const pending = await loginAs(t.app, 'pending@acme.test');
    const me = await request(t.app, pending, 'GET', '/api/me');
    expect(me.json()).toMatchObject({ user: { status: 'invited', hasDashboard: false } });
    const invite = await request(t.app, pending, 'POST', '/api/invitations', {
      email: freshEmail(),
      name: 'X',
      role: 'member',
      teamIds: [],
    });
    expect(invite.statusCode).toBe(403);
  });

  it('with SMTP configured there is no outbox (404)', async () => {
    const response = await request(t.app, admin, 'GET', '/api/dev/outbox');
    expect(response.statusCode).toBe(404);
  });
});
