import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';
import { AttioConnector } from '#src/integrations/crm/attio/attio.adapter.ts';
import type { CrmOwner } from '#src/integrations/crm/crm-connector.ts';
import { CrmError } from '#src/integrations/crm/crm-error.ts';
import {
  createAttioEmulator,
  type AttioEmulator,
  type AttioSeed,
} from '#emulators/attio.emulator.ts';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import { demoEmulatorAccounts } from '#tests/factories/crm-connection.factory.ts';

const TOKEN = 'attio-test-token-3b9f2e7a51c4';
const FAST = FAST_RETRY_POLICY;
const REP1: CrmOwner = {
  id: '6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d4e11',
  email: 'rep1@acme.test',
  name: 'Priya Natarajan',
};

/** REP1's option: the owner's name, keyed by their workspace member id. */
const P1 = 'Priya Natarajan (6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d4e11)';

let emulator: AttioEmulator;
let server: StartedEmulator;

async function start(seed: Partial<AttioSeed> = {}): Promise<void> {
  emulator = createAttioEmulator({
    ...demoEmulatorAccounts('attio', [TOKEN]),
    ...seed,
  });
  server = await emulator.start();
}

function connector(
  token = TOKEN,
  extra: Partial<ConstructorParameters<typeof AttioConnector>[0]> = {},
): AttioConnector {
  return new AttioConnector({
    credentials: { crm: 'attio', secrets: { accessToken: token }, instance: {} },
    baseUrl: server.baseUrl,
    policy: FAST,
    ...extra,
  });
}

const titles = (slug = 'assistant_owner') =>
  emulator.options(slug).map((o) => [o.title, o.is_archived]);

describe('AttioConnector against the Attio emulator', () => {
  beforeEach(async () => {
    await start();
  });

  afterEach(async () => {
    await server.close();
  });

  // Attio's workspace_members endpoint does not page: one response holds every member, so the
  // "across pages" part becomes "found behind every filler in the single unpaged list".
  it('owner found by email (case-insensitive, across the whole unpaged member list)', async () => {
    const position = emulator.state.members.findIndex((m) => m.email_address === REP1.email);
    expect(position).toBeGreaterThanOrEqual(25);

    expect(await connector().findOwnerByEmail(' REP1@Acme.TEST ')).toEqual(REP1);
    expect(emulator.requestLog.map((e) => e.path)).toEqual(['/v2/workspace_members']);

    expect(await connector().findOwnerByEmail('nobody@acme.test')).toBeNull();
    // A suspended member cannot own deals.
    expect(await connector().findOwnerByEmail('contractor005@acme-partners.test')).toBeNull();
    expect(await connector().findOwnerByEmail('contractor004@acme-partners.test')).not.toBeNull();
  });

  it('field created when missing', async () => {
    const result = await connector().ensureOwnerProperty(REP1);

    expect(result).toEqual({
      outcome: 'created',
      fieldKey: 'assistant_owner',
      optionValue: P1,
    });
    const attribute = emulator.attribute('assistant_owner');
    expect(attribute).toMatchObject({
      type: 'select',
      title: 'Assistant owner',
      is_archived: false,
    });
    expect(titles()).toEqual([[P1, false]]);
    expect(emulator.writeLog.map((e) => `${e.method} ${e.path}`)).toEqual([
      'POST /v2/objects/deals/attributes',
      'POST /v2/objects/deals/attributes/assistant_owner/options',
    ]);
    // The unrelated custom field is untouched.
    expect(titles('deal_source')).toEqual([
      ['Inbound', false],
      ['Outbound', false],
    ]);
  });

  it('option added when missing with every existing option kept', async () => {
    await server.close();
    await start({
      dealSelects: [
        {
          api_slug: 'assistant_owner',
          title: 'Assistant owner',
          options: [{ title: 'Olivia Bennett' }, { title: 'Marcus Reed' }],
        },
      ],
    });

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result.outcome).toBe('option_added');
    expect(titles()).toEqual([
      ['Olivia Bennett', false],
      ['Marcus Reed', false],
      [P1, false],
    ]);
    expect(emulator.writeLog).toHaveLength(1);
  });

  it('an archived matching option is un-archived instead of duplicated', async () => {
    await server.close();
    await start({
      dealSelects: [
        {
          api_slug: 'assistant_owner',
          title: 'Assistant owner',
          options: [{ title: 'Olivia Bennett' }, { title: P1, is_archived: true }],
        },
      ],
    });

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result.outcome).toBe('option_added');
    expect(titles()).toEqual([
      ['Olivia Bennett', false],
      [P1, false],
    ]);
    expect(emulator.writeLog.map((e) => e.method)).toEqual(['PATCH']);
  });

  it("owner options are keyed by the CRM owner's id: two reps with the same name get two options", async () => {
    const twin: CrmOwner = {
      id: '6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d4e12',
      email: 'rep2@acme.test',
      name: 'Priya Natarajan',
    };
    expect((await connector().ensureOwnerProperty(REP1)).outcome).toBe('created');
    expect((await connector().ensureOwnerProperty(twin)).outcome).toBe('option_added');
    expect(titles()).toEqual([
      [P1, false],
      ['Priya Natarajan (6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d4e12)', false],
    ]);
  });

  it("a renamed member's option keeps its option id and gets the new title", async () => {
    await connector().ensureOwnerProperty(REP1);
    const attribute = emulator.attribute('assistant_owner');
    const before = attribute ? emulator.state.options[attribute.id.attribute_id] : [];
    emulator.clearLogs();

    const result = await connector().ensureOwnerProperty({ ...REP1, name: 'Priya Rao' });

    expect(result).toMatchObject({
      outcome: 'option_updated',
      optionValue: 'Priya Rao (6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d4e11)',
    });
    expect(titles()).toEqual([['Priya Rao (6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d4e11)', false]]);
    const after = attribute ? emulator.state.options[attribute.id.attribute_id] : [];
    expect(after?.[0]?.id.option_id).toBe(before?.[0]?.id.option_id);
    expect(emulator.writeLog.map((w) => w.method)).toEqual(['PATCH']);
  });

  it('second run makes zero writes and returns already_present', async () => {
    const attio = connector();
    expect((await attio.ensureOwnerProperty(REP1)).outcome).toBe('created');
    const writes = emulator.writeLog.length;

    const second = await attio.ensureOwnerProperty(REP1);

    expect(second.outcome).toBe('already_present');
    expect(emulator.writeLog).toHaveLength(writes);
    expect(titles()).toEqual([[P1, false]]);
  });

  it('a refused key is invalid (Attio keys do not expire; a 401 auth_error is decided by status)', async () => {
    expect(await connector().verifyCredentials()).toEqual({
      status: 'valid',
      account: 'Attio workspace Acme (acme)',
      scopes: ['user_management:read', 'object_configuration:read-write'],
    });

    const invalid = await connector('attio-not-a-real-token-0000').verifyCredentials();
    expect(invalid.status).toBe('invalid');
    expect(invalid.vendorCode).toBe('unauthorized');

    emulator.setFaults({ tokensExpired: true });
    expect((await connector().verifyCredentials()).status).toBe('invalid');
  });

  it('an OAuth token verifies with its workspace and the scopes it was granted; exp null means no expiry', async () => {
    const grant = emulator.oauth.issueGrant(REP1.id, { scopes: ['user_management:read'] });
    const result = await connector(grant.accessToken).verifyCredentials();
    expect(result).toEqual({
      status: 'valid',
      account: 'Attio workspace Acme (acme)',
      scopes: ['user_management:read'],
    });
    expect(result.expiresAt).toBeUndefined();
    // Revoked: the 401 auth_error, invalid.
    emulator.oauth.revokeAll();
    expect(await connector(grant.accessToken).verifyCredentials()).toMatchObject({
      status: 'invalid',
      vendorCode: 'unauthorized',
    });
  });

  it('a token whose /v2/self reports exp gets expiresAt from it', async () => {
    emulator.oauth.accessTokenLifetimeSeconds = 3600;
    const before = Date.now();
    const grant = emulator.oauth.issueGrant(REP1.id);
    const result = await connector(grant.accessToken).verifyCredentials();
    const self = (await (
      await fetch(`${server.baseUrl}/v2/self`, {
        headers: { authorization: `Bearer ${grant.accessToken}` },
      })
    ).json()) as { exp: number };
    expect(self.exp).toBeGreaterThanOrEqual(Math.floor(before / 1000) + 3599);
    expect(result.expiresAt).toEqual(new Date(self.exp * 1000));
  });

  it('429 with Retry-After (an HTTP date) is retried after the stated time and then succeeds', async () => {
    emulator.setFaults({ rateLimits: 1, retryAfterSeconds: 2 });
    const calls: { at: number; retryAfter: string | null; status: number }[] = [];
    const recording: typeof fetch = async (input, init) => {
      const at = Date.now();
      const response = await fetch(input, init);
      calls.push({ at, retryAfter: response.headers.get('retry-after'), status: response.status });
      return response;
    };

    const started = Date.now();
    const found = await connector(TOKEN, { fetch: recording }).findOwnerByEmail('owner@acme.test');
    const elapsed = Date.now() - started;

    expect(found?.id).toBe('6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d4e01');
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    const stated = calls[0]?.retryAfter ?? '';
    expect(stated).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    // The retry went out no earlier than the stated date (5 ms for timer granularity), and
    // the stated date was at least a second away.
    expect(calls[1]?.at ?? 0).toBeGreaterThanOrEqual(Date.parse(stated) - 5);
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
  });

  it('persistent 5xx ends in a server_error CrmError after bounded retries within the budget', async () => {
    emulator.setFaults({ serverErrors: 1_000 });
    const started = Date.now();

    const error = await connector()
      .ensureOwnerProperty(REP1)
      .catch((e: unknown) => e);

    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(CrmError);
    expect((error as CrmError).kind).toBe('server_error');
    expect((error as CrmError).attempts).toBe(FAST.maxAttempts);
    expect(emulator.requestLog).toHaveLength(FAST.maxAttempts ?? 0);
    expect(elapsed).toBeLessThan(FAST.budgetMs ?? 0);
    expect((await connector().verifyCredentials()).status).toBe('unreachable');
  });

  it('the wrong auth scheme is rejected by the emulator', async () => {
    const call = (authorization: string) =>
      fetch(`${server.baseUrl}/v2/self`, { headers: { authorization } });

    const wrong = await call(`Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}`);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ status_code: 401, type: 'auth_error' });
    expect((await call(`Token ${TOKEN}`)).status).toBe(401);
    expect((await call(`Bearer ${TOKEN}`)).status).toBe(200);
  });

  it("a CrmError's message never contains the token", async () => {
    const messages: string[] = [];
    const capture = async (promise: Promise<unknown>) => {
      const error = await promise.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CrmError);
      messages.push((error as CrmError).message);
    };

    // The vendor echoing the token back in its message.
    const echo: typeof fetch = () =>
      Promise.resolve(
        Response.json(
          {
            status_code: 400,
            type: 'invalid_request_error',
            code: 'validation_type',
            message: `Unexpected value ${TOKEN}`,
          },
          { status: 400 },
        ),
      );
    await capture(connector(TOKEN, { fetch: echo }).findOwnerByEmail('owner@acme.test'));
    expect(messages[0]).toContain('[redacted]');

    emulator.setFaults({ tokensExpired: true });
    await capture(connector().ensureOwnerProperty(REP1));
    emulator.resetFaults();
    emulator.setFaults({ serverErrors: 1_000 });
    await capture(connector().findOwnerByEmail('owner@acme.test'));
    await server.close();
    await capture(connector().findOwnerByEmail('owner@acme.test'));
    await start();

    expect(messages).toHaveLength(4);
    for (const message of messages) expect(message).not.toContain(TOKEN);
  });

  it('metadata changes refused by Attio are reported as not_permitted', async () => {
    emulator.setFaults({ metadataNotPermitted: true });

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result.outcome).toBe('not_permitted');
    expect(emulator.attribute('assistant_owner')).toBeUndefined();
    expect(emulator.writeLog).toHaveLength(0);
  });

  it('given the demo accounts, it accepts the demo token and knows the demo members', () => {
    expect(emulator.state.tokens.has('attio-demo-owner-workspace-token-0001')).toBe(true);
    expect(emulator.faults.retryAfterAsDate).toBe(true);
    const byEmail = new Map(
      emulator.state.members.map((m) => [m.email_address, m.id.workspace_member_id]),
    );
    expect(byEmail.get('owner@acme.test')).toBe('6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d4e01');
    expect(byEmail.get('admin@acme.test')).toBe('6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d4e02');
    for (let n = 1; n <= 10; n += 1) {
      expect(byEmail.get(`rep${n}@acme.test`)).toBe(
        `6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d4e${String(10 + n)}`,
      );
    }
  });
});
