import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, type AuditEntryInput } from '#src/domain/audit/audit-chain.ts';
import type { AuditLogEntry, AuditVerification } from '#src/domain/contracts/audit.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import { publishAuditChainHeads } from '#src/services/audit/audit-read.service.ts';
import {
  insertOrganizationWithPeople,
  type InsertedOrganizationWithPeople,
} from '#tests/factories/organization.factory.ts';
import { TEST_PASSWORD } from '#tests/factories/password.factory.ts';
import { describeResponse, expectProblem, send } from '#tests/integration/http/support/http.ts';
import { buildTestApp, loginAs, type Agent, type TestApp } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * The audit log's read API (issue 15): admins read, filter, export (JSON Lines, CSV) and verify
 * their own organization's chain, and read its head; nobody else reads any of it.
 */

let database: TestDatabase;
let testApp: TestApp;
let uow: UnitOfWork;
let acme: InsertedOrganizationWithPeople;
let globex: InsertedOrganizationWithPeople;
let owner: Agent;
let admin: Agent;
let member: Agent;
let outsider: Agent;
/** Acme's entries as appended, oldest first. */
const written: { id: number; hash: string; action: string; at: Date }[] = [];

const T0 = Date.parse('2026-11-01T10:00:00.000Z');
const HOUR = 3_600_000;
/** A member whose name a spreadsheet would run as a formula, with CSV's special characters. */
const HOSTILE_NAME = '=HYPERLINK("http://evil.test","click, me")';

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database, { queue: false });
  uow = createUnitOfWork(database.db);
  acme = await insertOrganizationWithPeople(uow, testApp.keyring, {
    name: 'Acme',
    primaryAdmin: { name: 'Acme Owner' },
    admins: [{ name: 'Acme Admin' }],
    members: [{ name: 'Acme Member' }, { name: HOSTILE_NAME }],
  });
  globex = await insertOrganizationWithPeople(uow, testApp.keyring, {
    name: 'Globex',
    primaryAdmin: { name: 'Globex Owner' },
    members: [{ name: 'Globex Member' }],
  });
  const emailOf = async (id: string) =>
    (await uow.read.users.findById(id))?.email ?? 'missing@example.test';
  const agents = await Promise.all(
    [
      acme.primaryAdmin.id,
      acme.admins[0]?.id ?? '',
      acme.members[0]?.id ?? '',
      globex.primaryAdmin.id,
    ].map(async (id) => loginAs(testApp.app, await emailOf(id), TEST_PASSWORD)),
  );
  [owner, admin, member, outsider] = agents as [Agent, Agent, Agent, Agent];
  const [plainMember, hostileMember] = acme.members;
  const entry = (n: number, overrides: Partial<AuditEntryInput>): AuditEntryInput => ({
    organizationId: acme.organizationId,
    actorId: acme.primaryAdmin.id,
    targetId: plainMember?.id ?? null,
    action: 'sync_settings_to_user',
    outcome: 'applied',
    categories: ['company_details'],
    details: { n, counts: { changed: 1 } },
    requestId: `req-${n}`,
    ...overrides,
  });
  const plan: Partial<AuditEntryInput>[] = [
    {},
    { action: 'sync_crm', categories: ['crm_keys'] },
    { actorId: acme.admins[0]?.id ?? null },
    { targetId: hostileMember?.id ?? null, details: { note: 'a "quoted", \nmultiline note' } },
    { action: 'revert', outcome: 'refused', details: { code: 'version_conflict' } },
    { actorId: null, targetId: null, action: 'bulk_sync_settings', outcome: 'started' },
  ];
  for (const [index, overrides] of plan.entries()) {
    const at = new Date(T0 + index * HOUR);
    const e = entry(index + 1, overrides);
    const appended = await appendAudit(uow.read, e, at);
    written.push({ ...appended, action: e.action, at });
  }
  await appendAudit(
    uow.read,
    { ...entry(99, {}), organizationId: globex.organizationId, actorId: globex.primaryAdmin.id },
    new Date(T0),
  );
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

async function get(agent: Agent | undefined, url: string) {
  return send(testApp.app, agent, { method: 'GET', url });
}

async function page(agent: Agent, query = '') {
  const response = await get(agent, `/api/audit-log${query}`);
  expect(response.statusCode, describeResponse(response)).toBe(200);
  return response.json<Wire<{ entries: AuditLogEntry[]; nextCursor: string | null }>>();
}

const seqs = (entries: { seq: number }[]) => entries.map((e) => e.seq);
const newestFirst = () => [...written].reverse().map((w) => w.id);

describe('GET /api/audit-log', () => {
  it("lists the organization's entries newest first, with who and whom by name and email", async () => {
    const body = await page(owner);
    expect(seqs(body.entries)).toEqual(newestFirst());
    expect(body.nextCursor).toBeNull();
    const oldest = body.entries.at(-1);
    expect(oldest).toMatchObject({
      seq: written[0]?.id,
      id: String(written[0]?.id),
      at: written[0]?.at.toISOString(),
      action: 'sync_settings_to_user',
      outcome: 'applied',
      categories: ['company_details'],
      actor: { id: acme.primaryAdmin.id, name: 'Acme Owner', email: acme.primaryAdmin.email },
      target: { id: acme.members[0]?.id, name: 'Acme Member' },
      details: { n: 1, counts: { changed: 1 } },
      requestId: 'req-1',
      hash: written[0]?.hash,
      prevHash: GENESIS_HASH,
    });
    expect(body.entries[0]).toMatchObject({ actor: null, target: null });
  });

  it('pages with a keyset cursor: no entry twice, none left out', async () => {
    const first = await page(admin, '?limit=4');
    expect(first.entries).toHaveLength(4);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await page(admin, `?limit=4&cursor=${first.nextCursor ?? ''}`);
    expect(second.nextCursor).toBeNull();
    expect([...seqs(first.entries), ...seqs(second.entries)]).toEqual(newestFirst());
  });

  it('filters by actor, target, action and time, combined', async () => {
    const byAdmin = await page(owner, `?actor=${acme.admins[0]?.id ?? ''}`);
    expect(seqs(byAdmin.entries)).toEqual([written[2]?.id]);
    const aboutHostile = await page(owner, `?target=${acme.members[1]?.id ?? ''}`);
    expect(seqs(aboutHostile.entries)).toEqual([written[3]?.id]);
    const crm = await page(owner, '?action=sync_crm');
    expect(seqs(crm.entries)).toEqual([written[1]?.id]);
    // since is inclusive, until exclusive: entries 2, 3 and 4 (T0+1h … T0+3h).
    const since = new Date(T0 + HOUR).toISOString();
    const until = new Date(T0 + 4 * HOUR).toISOString();
    const window = await page(owner, `?since=${since}&until=${until}`);
    expect(seqs(window.entries)).toEqual([written[3]?.id, written[2]?.id, written[1]?.id]);
    const both = await page(
      owner,
      `?since=${since}&until=${until}&actor=${acme.primaryAdmin.id}&action=sync_settings_to_user`,
    );
    expect(seqs(both.entries)).toEqual([written[3]?.id]);
    const day = await page(owner, '?since=2026-11-02');
    expect(day.entries).toEqual([]);
  });

  it("never shows another organization's entries, even filtered by that organization's users", async () => {
    const theirs = await page(owner, `?actor=${globex.primaryAdmin.id}`);
    expect(theirs.entries).toEqual([]);
    const own = await page(outsider);
    expect(own.entries.map((e) => e.details)).toEqual([{ n: 99, counts: { changed: 1 } }]);
    const notAUser = await page(owner, '?actor=nobody');
    expect(notAUser.entries).toEqual([]);
  });

  it('refuses members (403) and anonymous callers (401)', async () => {
    for (const url of [
      '/api/audit-log',
      '/api/audit-log/export',
      '/api/audit-log/verify',
      '/api/audit-log/head',
    ]) {
      const asMember = await get(member, url);
      expect(asMember.statusCode, url).toBe(403);
      expect(expectProblem(asMember, url)).toBe('forbidden');
      const anonymous = await get(undefined, url);
      expect(anonymous.statusCode, url).toBe(401);
      expect(expectProblem(anonymous, url)).toBe('unauthenticated');
    }
  });

  it('refuses a cursor it did not issue, an unreadable date, a year PostgreSQL has not and an unknown parameter (400)', async () => {
    for (const query of [
      '?cursor=bm9wZQ',
      '?since=yesterday',
      '?since=0000-01-01T00:00:00Z',
      '?until=2026-13-45',
      '?limit=0',
      '?secret=1',
    ]) {
      const response = await get(owner, `/api/audit-log${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(expectProblem(response, query)).toBe('invalid_request');
    }
    const badFormat = await get(owner, '/api/audit-log/export?format=xlsx');
    expect(badFormat.statusCode).toBe(400);
  });
});

describe('GET /api/audit-log/export', () => {
  it('downloads JSON Lines oldest first, the entries of the list, with the chain head', async () => {
    const response = await get(owner, '/api/audit-log/export?format=jsonl');
    expect(response.statusCode, describeResponse(response)).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="ergo-audit-log-\d{4}-\d{2}-\d{2}\.jsonl"$/,
    );
    const last = written.at(-1);
    expect(response.headers['ergo-audit-head']).toBe(`${last?.id} ${last?.hash}`);
    const lines = response.body.trimEnd().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as Wire<AuditLogEntry>);
    expect(seqs(entries)).toEqual(written.map((w) => w.id));
    const listed = await page(owner);
    expect(entries).toEqual([...listed.entries].reverse());
  });

  it('exports only the time range asked for', async () => {
    const since = new Date(T0 + 4 * HOUR).toISOString();
    const response = await get(owner, `/api/audit-log/export?since=${since}`);
    const entries = response.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number });
    expect(seqs(entries)).toEqual([written[4]?.id, written[5]?.id]);
  });

  it('exports with the list filters: actor, target and action; a non-id user exports nothing', async () => {
    const lines = async (query: string) => {
      const response = await get(owner, `/api/audit-log/export${query}`);
      expect(response.statusCode, describeResponse(response)).toBe(200);
      return response.body
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { seq: number });
    };
    expect(seqs(await lines(`?actor=${acme.admins[0]?.id ?? ''}`))).toEqual([written[2]?.id]);
    expect(seqs(await lines(`?target=${acme.members[1]?.id ?? ''}`))).toEqual([written[3]?.id]);
    expect(seqs(await lines('?action=sync_crm'))).toEqual([written[1]?.id]);
    expect(await lines('?actor=not-a-user-id')).toEqual([]);
  });

  it('downloads CSV escaped per RFC 4180, formula-injection safe', async () => {
    const response = await get(owner, '/api/audit-log/export?format=csv');
    expect(response.statusCode, describeResponse(response)).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/filename="ergo-audit-log-.*\.csv"$/);
    const rows = parseCsv(response.body);
    expect(rows[0]).toEqual([
      'seq',
      'at',
      'action',
      'outcome',
      'categories',
      'actor_id',
      'actor_name',
      'actor_email',
      'target_id',
      'target_name',
      'target_email',
      'details',
      'request_id',
      'prev_hash',
      'hash',
    ]);
    expect(rows.slice(1).map((row) => Number(row[0]))).toEqual(written.map((w) => w.id));
    const hostile = rows[4] ?? [];
    // The formula starts with a quote, so a spreadsheet shows it as text.
    expect(hostile[9]).toBe(`'${HOSTILE_NAME}`);
    expect(JSON.parse(hostile[11] ?? '')).toEqual({ note: 'a "quoted", \nmultiline note' });
    expect(rows[1]?.[14]).toBe(written[0]?.hash);
    expect(rows[1]?.[13]).toBe(GENESIS_HASH);
    expect(rows[6]?.[5]).toBe('');
  });

  it("exports nothing of another organization's", async () => {
    const response = await get(outsider, '/api/audit-log/export?format=csv');
    const rows = parseCsv(response.body);
    expect(rows).toHaveLength(2);
    expect(rows[1]?.[5]).toBe(globex.primaryAdmin.id);
  });
});

describe('GET /api/audit-log/verify and /head', () => {
  it('an intact chain is intact through its head', async () => {
    const response = await get(admin, '/api/audit-log/verify');
    expect(response.statusCode, describeResponse(response)).toBe(200);
    const last = written.at(-1);
    expect(response.json<Wire<AuditVerification>>()).toEqual({
      intact: true,
      checkedThrough: last?.id,
      count: written.length,
      head: { seq: last?.id, hash: last?.hash, at: last?.at.toISOString() },
    });
    const head = await get(admin, '/api/audit-log/head');
    expect(head.json()).toEqual({ seq: last?.id, hash: last?.hash, at: last?.at.toISOString() });
  });

  it('an organization without entries has the genesis head', async () => {
    const empty = await insertOrganizationWithPeople(uow, testApp.keyring, { name: 'Empty' });
    const agent = await loginAs(testApp.app, empty.primaryAdmin.email, TEST_PASSWORD);
    expect((await get(agent, '/api/audit-log/head')).json()).toEqual({
      seq: 0,
      hash: GENESIS_HASH,
      at: null,
    });
    expect((await get(agent, '/api/audit-log/verify')).json()).toEqual({
      intact: true,
      checkedThrough: 0,
      count: 0,
      head: { seq: 0, hash: GENESIS_HASH, at: null },
    });
  });

  it('the scheduled log line names every organization’s head (seq and hash)', async () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const stop = publishAuditChainHeads(
      uow.read,
      {
        info: (fields, message) => lines.push({ fields, message }),
        warn: (fields, message) => lines.push({ fields, message }),
      },
      60_000,
    );
    await expect.poll(() => lines.length).toBeGreaterThanOrEqual(2);
    stop();
    const last = written.at(-1);
    expect(lines.every((line) => line.message === 'audit chain head')).toBe(true);
    expect(lines.find((line) => line.fields.organizationId === acme.organizationId)).toEqual({
      message: 'audit chain head',
      fields: {
        organizationId: acme.organizationId,
        seq: last?.id,
        hash: last?.hash,
        at: last?.at.toISOString(),
      },
    });
  });

  // Last in the file: it tampers with Acme's chain.
  it('a changed entry breaks the chain there: intact through the entry before it', async () => {
    const changed = written[3];
    await database.db.transaction().execute(async (trx) => {
      await sql`alter table audit_log disable trigger user`.execute(trx);
      await sql`update audit_log set details = '{"n": 4, "edited": true}' where id = ${changed?.id}`.execute(
        trx,
      );
      await sql`alter table audit_log enable trigger user`.execute(trx);
    });
    const response = await get(owner, '/api/audit-log/verify');
    const last = written.at(-1);
    expect(response.json()).toEqual({
      intact: false,
      checkedThrough: written[2]?.id,
      count: written.length,
      head: { seq: last?.id, hash: last?.hash, at: last?.at.toISOString() },
      brokenAt: changed?.id,
      reason: 'hash_mismatch',
    });
  });
});

/** RFC 4180: quoted cells, doubled quotes, CRLF rows (newlines inside quotes kept). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += ch;
  }
  return rows;
}
