import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import { createAttioEmulator, type AttioEmulator } from '#emulators/attio.emulator.ts';
import { OWNER_FIELD } from '#src/integrations/crm/crm-connector.ts';
import { consent } from '#src/integrations/crm/oauth/consent-page.test-helper.ts';
import { emulatorPeople } from '#tests/factories/crm-connection.factory.ts';

/**
 * Attio has no official Node REST SDK, so the emulator's replies to the calls attio.adapter.ts
 * makes are checked against the shapes in Attio's API reference (docs.attio.com, read through
 * the documentation search on 2026-12-02; sources per schema below and in
 * docs/crm-vendor-notes.md). Every documented key must be present with its documented type;
 * ids are UUIDs. Real HTTP, raw fetch: nothing of the adapter is involved.
 */

const TOKEN = 'attio-contract-test-api-key-5e8d0b14';
const CLIENT_ID = 'attio-contract-client';
const CLIENT_SECRET = 'attio-contract-client-secret-61f0';
const REDIRECT = 'http://127.0.0.1:5997/oauth/attio/callback';
const PRIYA = '6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d4e11';
const DEALS = '/v2/objects/deals/attributes';

const uuid = z.uuid();
const isoDate = z.iso.datetime({ offset: true });

/** docs.attio.com/rest-api/endpoint-reference/meta/identify and docs/oauth/introspect. */
const activeSelf = z.object({
  active: z.literal(true),
  scope: z.string(),
  client_id: z.string(),
  token_type: z.literal('Bearer'),
  exp: z.number().nullable(),
  iat: z.number(),
  sub: z.string(),
  aud: z.string(),
  iss: z.string(),
  authorized_by_workspace_member_id: uuid.nullable(),
  workspace_id: uuid,
  workspace_name: z.string(),
  workspace_slug: z.string(),
  workspace_logo_url: z.string().nullable(),
});

/**
 * docs.attio.com/docs/oauth/token: the response is `access_token` (string) and `token_type`
 * ("Always \"Bearer\""); nothing else is documented (no refresh token, no expires_in).
 */
const tokenResponse = z.strictObject({
  access_token: z.string().min(1),
  token_type: z.literal('Bearer'),
});

/** Scopes in `/v2/self` are space-separated `resource:permission` (docs/oauth/introspect). */
const scopeList = z.string().regex(/^[a-z_]+:[a-z-]+( [a-z_]+:[a-z-]+)*$/);

/** docs.attio.com/api-reference/workspace-members/get-a-workspace-member (list: `{data: [...]}`). */
const member = z.object({
  id: z.strictObject({ workspace_id: uuid, workspace_member_id: uuid }),
  first_name: z.string(),
  last_name: z.string(),
  avatar_url: z.string().nullable(),
  email_address: z.string(),
  created_at: isoDate,
  access_level: z.enum(['admin', 'member', 'suspended']),
});

/** docs.attio.com/rest-api/endpoint-reference/attributes (list) and …/get-an-attribute. */
const attribute = z.object({
  id: z.strictObject({ workspace_id: uuid, object_id: uuid, attribute_id: uuid }),
  title: z.string(),
  description: z.string().nullable(),
  api_slug: z.string(),
  type: z.string(),
  is_system_attribute: z.boolean(),
  is_writable: z.boolean(),
  is_required: z.boolean(),
  is_unique: z.boolean(),
  is_multiselect: z.boolean(),
  is_default_value_enabled: z.boolean(),
  is_archived: z.boolean(),
  default_value: z.unknown().nullable(),
  relationship: z.unknown().nullable(),
  created_at: isoDate,
  config: z.object({
    currency: z.object({
      default_currency_code: z.string().nullable(),
      display_type: z.string().nullable(),
    }),
    record_reference: z.object({ allowed_object_ids: z.array(z.string()).nullable() }),
  }),
});

/** docs.attio.com/api-reference/attributes/list-select-options, …/update-a-select-option. */
const selectOption = z.strictObject({
  id: z.strictObject({
    workspace_id: uuid,
    object_id: uuid,
    attribute_id: uuid,
    option_id: uuid,
  }),
  title: z.string(),
  is_archived: z.boolean(),
});

/** docs.attio.com/rest-api/guides/rate-limiting (the shape of every Attio error body). */
const errorBody = z.object({
  status_code: z.number(),
  type: z.string(),
  code: z.string(),
  message: z.string(),
});

let emulator: AttioEmulator;
let server: StartedEmulator;

async function call(
  method: string,
  path: string,
  body?: unknown,
  token = TOKEN,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** Parses with the documented schema; a mismatch fails with zod's list of the offending keys. */
function conform<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`not the documented shape: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

beforeAll(async () => {
  emulator = createAttioEmulator({
    people: emulatorPeople('attio'),
    tokens: [TOKEN],
    oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT] }],
  });
  server = await emulator.start();
});

afterAll(async () => {
  await server.close();
});

describe("the Attio emulator's replies match Attio's API reference", () => {
  it('GET /v2/self (token check): the identify shape for an active token', async () => {
    const { status, json } = await call('GET', '/v2/self');
    expect(status).toBe(200);
    const self = conform(activeSelf, json);
    expect(self.token_type).toBe('Bearer');
  });

  it('GET /v2/workspace_members (owner by email): `{data: WorkspaceMember[]}`', async () => {
    const { status, json } = await call('GET', '/v2/workspace_members');
    expect(status).toBe(200);
    const members = conform(z.object({ data: z.array(member) }), json).data;
    expect(members.find((m) => m.email_address === 'owner@acme.test')).toMatchObject({
      first_name: 'Olivia',
      last_name: 'Bennett',
    });
    expect(members.some((m) => m.access_level === 'suspended')).toBe(true);
  });

  it('GET /v2/objects/deals/attributes and …/{slug}: Attribute, and 404 for a missing slug', async () => {
    const list = await call('GET', DEALS);
    expect(list.status).toBe(200);
    const attributes = conform(z.object({ data: z.array(attribute) }), list.json).data;
    expect(attributes.length).toBeGreaterThan(0);

    const missing = await call('GET', `${DEALS}/${OWNER_FIELD.attioSlug}`);
    expect(missing.status).toBe(404);
    expect(conform(errorBody, missing.json)).toMatchObject({ status_code: 404 });
  });

  it('POST …/attributes (create the select): `{data: Attribute}`, read back by slug', async () => {
    const created = await call('POST', DEALS, {
      data: {
        title: OWNER_FIELD.label,
        description: null,
        api_slug: OWNER_FIELD.attioSlug,
        type: 'select',
        is_required: false,
        is_unique: false,
        is_multiselect: false,
        config: {},
      },
    });
    expect([200, 201]).toContain(created.status);
    const made = conform(z.object({ data: attribute }), created.json).data;
    expect(made).toMatchObject({
      api_slug: OWNER_FIELD.attioSlug,
      type: 'select',
      is_archived: false,
    });

    const read = await call('GET', `${DEALS}/${OWNER_FIELD.attioSlug}`);
    expect(conform(z.object({ data: attribute }), read.json).data.id).toEqual(made.id);

    // A second create of the same slug is refused with Attio's error body (the code is (mem)).
    const again = await call('POST', DEALS, {
      data: { ...(created.json as { data: object }).data, config: {} },
    });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
    conform(errorBody, again.json);
  });

  it('POST …/options (add) and GET …/options?show_archived=true: SelectOption', async () => {
    const options = `${DEALS}/${OWNER_FIELD.attioSlug}/options`;
    const added = await call('POST', options, { data: { title: 'Olivia Bennett (owner)' } });
    expect([200, 201]).toContain(added.status);
    const option = conform(z.object({ data: selectOption }), added.json).data;
    expect(option).toMatchObject({ title: 'Olivia Bennett (owner)', is_archived: false });

    const listed = await call('GET', `${options}?show_archived=true`);
    expect(listed.status).toBe(200);
    const all = conform(z.object({ data: z.array(selectOption) }), listed.json).data;
    expect(all.map((o) => o.id.option_id)).toContain(option.id.option_id);
  });

  it('PATCH …/options/{option} (rename, archive, un-archive): `{data: SelectOption}`', async () => {
    const options = `${DEALS}/${OWNER_FIELD.attioSlug}/options`;
    const listed = await call('GET', `${options}?show_archived=true`);
    const [option] = conform(z.object({ data: z.array(selectOption) }), listed.json).data;
    const id = option?.id.option_id ?? '';

    const archived = await call('PATCH', `${options}/${id}`, { data: { is_archived: true } });
    expect(conform(z.object({ data: selectOption }), archived.json).data.is_archived).toBe(true);
    const hidden = await call('GET', options);
    expect(
      conform(z.object({ data: z.array(selectOption) }), hidden.json).data.map(
        (o) => o.id.option_id,
      ),
    ).not.toContain(id);

    const renamed = await call('PATCH', `${options}/${id}`, {
      data: { title: 'Olivia B. (owner)', is_archived: false },
    });
    expect(renamed.status).toBe(200);
    expect(conform(z.object({ data: selectOption }), renamed.json).data).toMatchObject({
      id: option?.id,
      title: 'Olivia B. (owner)',
      is_archived: false,
    });
  });

  it('an unknown API key: 401 with the error body', async () => {
    const { status, json } = await call('GET', '/v2/workspace_members', undefined, 'not-a-key');
    expect(status).toBe(401);
    expect(conform(errorBody, json)).toMatchObject({ status_code: 401, type: 'auth_error' });
  });

  it('a 429: the error body with type rate_limit_error and an HTTP-date Retry-After', async () => {
    emulator.setFaults({ rateLimits: 1 });
    const response = await fetch(`${server.baseUrl}/v2/self`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    emulator.resetFaults();
    expect(response.status).toBe(429);
    expect(conform(errorBody, await response.json())).toMatchObject({
      status_code: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
    });
    const retryAfter = response.headers.get('retry-after') ?? '';
    expect(Number.isNaN(Date.parse(retryAfter))).toBe(false);
    expect(/^\d+$/.test(retryAfter)).toBe(false);
  });

  it('GET /authorize, then POST /oauth/token: the documented token response, and /v2/self for the OAuth token', async () => {
    // docs.attio.com/docs/oauth/authorize: client_id, response_type=code, redirect_uri, state;
    // after approval the user is sent to redirect_uri with a code (and the state).
    const authorize = new URL(`${server.baseUrl}/authorize`);
    authorize.search = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: REDIRECT,
      state: 'contract-state',
    }).toString();
    const callback = await consent(authorize.toString(), 'Allow', PRIYA);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
    expect(callback.searchParams.get('state')).toBe('contract-state');
    const code = callback.searchParams.get('code') ?? '';

    const response = await fetch(`${server.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uri: REDIRECT,
      }).toString(),
    });
    expect(response.status).toBe(200);
    const token = conform(tokenResponse, await response.json());

    const { status, json } = await call('GET', '/v2/self', undefined, token.access_token);
    expect(status).toBe(200);
    const self = conform(activeSelf, json);
    conform(scopeList, self.scope);
    expect(self).toMatchObject({
      client_id: CLIENT_ID,
      authorized_by_workspace_member_id: PRIYA,
      // Attio's OAuth tokens carry no expiry (mem): exp null, as for an API key.
      exp: null,
      workspace_slug: 'acme',
    });
    expect(self.iat).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  });

  it('GET /v2/self for an API key: scope is the space-separated scope list, exp null', async () => {
    const self = conform(activeSelf, (await call('GET', '/v2/self')).json);
    conform(scopeList, self.scope);
    expect(self.exp).toBeNull();
  });
});
