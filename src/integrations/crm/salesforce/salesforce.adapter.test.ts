import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';
import type { CrmOwner } from '#src/integrations/crm/crm-connector.ts';
import { CrmError } from '#src/integrations/crm/crm-error.ts';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import {
  createSalesforceEmulator,
  picklistField,
  picklistValue,
  type SalesforceEmulator,
  type SalesforceSeed,
} from '#emulators/salesforce.emulator.ts';
import {
  ERGO_PERMISSION_SET,
  SALESFORCE_API_VERSION,
  SalesforceConnector,
} from '#src/integrations/crm/salesforce/salesforce.adapter.ts';
import { demoEmulatorAccounts } from '#tests/factories/crm-connection.factory.ts';
import { ownerFieldAs } from '#tests/support/salesforce-field-access.ts';

const TOKEN = '00D000000000001!AQ0AQtest.salesforce.access.7f3a9c21';
const FAST = FAST_RETRY_POLICY;
const OWNER: CrmOwner = {
  id: '005000000000001AAA',
  email: 'owner@acme.test',
  name: 'Olivia Bennett',
};
const ADMIN_ID = '005000000000002AAA';
const REP1: CrmOwner = {
  id: '005000000000011AAA',
  email: 'rep1@acme.test',
  name: 'Priya Natarajan',
};
const API = `/services/data/${SALESFORCE_API_VERSION}`;
const ADMIN_OWNER: CrmOwner = {
  id: '005000000000002AAA',
  email: 'admin@acme.test',
  name: 'Marcus Reed',
};
/** The writes that give the owner access to a field: Ergo's set, its field permissions, the assignment. */
const GRANT_WRITES = [
  `POST ${API}/sobjects/PermissionSet`,
  `POST ${API}/sobjects/FieldPermissions`,
  `POST ${API}/sobjects/PermissionSetAssignment`,
];

let emulator: SalesforceEmulator;
let server: StartedEmulator;

async function start(seed: Partial<SalesforceSeed> = {}): Promise<void> {
  emulator = createSalesforceEmulator({
    ...demoEmulatorAccounts('salesforce', [TOKEN]),
    ...seed,
  });
  server = await emulator.start();
}

function connector(
  token = TOKEN,
  extra: Partial<ConstructorParameters<typeof SalesforceConnector>[0]> = {},
): SalesforceConnector {
  // The loopback instance URL plays the credential's instance_url: no baseUrl override needed.
  return new SalesforceConnector({
    credentials: {
      crm: 'salesforce',
      secrets: { accessToken: token },
      instance: { instanceUrl: server.baseUrl },
    },
    policy: FAST,
    ...extra,
  });
}

/** An existing Assistant_Owner__c picklist: owner and admin active, a former rep inactive. */
function existingOwnerField() {
  const former = { ...picklistValue('005000000000099AAA', 'Former Rep'), isActive: false };
  return picklistField('00N000000000201AAA', 'Assistant_Owner', 'Assistant owner', [
    picklistValue(OWNER.id, OWNER.name),
    picklistValue(ADMIN_ID, 'Marcus Reed'),
    former,
  ]);
}

function valuesOf(developerName = 'Assistant_Owner') {
  return (emulator.customField(developerName)?.valueSet?.values ?? []).map((v) => ({
    fullName: v.fullName,
    label: v.label,
    isActive: v.isActive,
  }));
}

describe('SalesforceConnector against the Salesforce emulator', () => {
  beforeEach(async () => {
    await start();
  });

  afterEach(async () => {
    await server.close();
  });

  it('owner found by email (case-insensitive, across pages)', async () => {
    const found = await connector().findOwnerByEmail('  REP1@Acme.TEST ');

    expect(found).toEqual(REP1);
    const pages = emulator.requestLog.filter((e) => e.path.startsWith(`${API}/query`));
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0]?.path).toBe(`${API}/query`);
    expect(pages[1]?.path).toMatch(new RegExp(`^${API}/query/01g\\w+-200$`));
  });

  it('an unknown email is null after every page was read', async () => {
    expect(await connector().findOwnerByEmail('nobody@acme.test')).toBeNull();
    expect(emulator.requestLog.filter((e) => e.path.startsWith(`${API}/query`))).toHaveLength(2);
    // Deactivated users cannot own opportunities and are not listed.
    expect(await connector().findOwnerByEmail('contractor013@acme-partners.test')).toBeNull();
  });

  it('field created when missing', async () => {
    expect(emulator.customField('Assistant_Owner')).toBeUndefined();

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result).toEqual({
      outcome: 'created',
      fieldKey: 'Assistant_Owner',
      optionValue: REP1.id,
    });
    const field = emulator.customField('Assistant_Owner');
    expect(field?.metadata).toMatchObject({ label: 'Assistant owner', type: 'Picklist' });
    expect(field?.valueSet?.restricted).toBe(true);
    expect(valuesOf()).toEqual([{ fullName: REP1.id, label: REP1.name, isActive: true }]);
    expect(emulator.writeLog.map((e) => `${e.method} ${e.path}`)).toEqual([
      `POST ${API}/tooling/sobjects/CustomField`,
      ...GRANT_WRITES,
    ]);
    expect(emulator.writeLog[0]).toMatchObject({
      method: 'POST',
      path: `${API}/tooling/sobjects/CustomField`,
      body: { FullName: 'Opportunity.Assistant_Owner__c' },
    });
  });

  it('option added when missing with every existing option kept', async () => {
    await server.close();
    await start({ customFields: [existingOwnerField()] });
    const dealSourceBefore = valuesOf('Deal_Source');

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result.outcome).toBe('option_added');
    expect(valuesOf()).toEqual([
      { fullName: OWNER.id, label: OWNER.name, isActive: true },
      { fullName: ADMIN_ID, label: 'Marcus Reed', isActive: true },
      { fullName: '005000000000099AAA', label: 'Former Rep', isActive: false },
      { fullName: REP1.id, label: REP1.name, isActive: true },
    ]);
    expect(valuesOf('Deal_Source')).toEqual(dealSourceBefore);
    expect(emulator.writeLog.map((e) => `${e.method} ${e.path}`)).toEqual([
      `PATCH ${API}/tooling/sobjects/CustomField/00N000000000201AAA`,
      ...GRANT_WRITES,
    ]);
  });

  it('a deactivated option is reactivated, keeping the others', async () => {
    await server.close();
    await start({
      customFields: [existingOwnerField()],
      users: [
        {
          Id: '005000000000099AAA',
          Username: 'former@acme.test.acmeprod',
          Email: 'former@acme.test',
          Name: 'Former Rep',
          FirstName: 'Former',
          LastName: 'Rep',
          IsActive: true,
          UserType: 'Standard',
        },
      ],
    });

    const result = await connector().ensureOwnerProperty({
      id: '005000000000099AAA',
      email: 'former@acme.test',
      name: 'Former Rep',
    });

    expect(result.outcome).toBe('option_added');
    expect(valuesOf().map((v) => [v.fullName, v.isActive])).toEqual([
      [OWNER.id, true],
      [ADMIN_ID, true],
      ['005000000000099AAA', true],
    ]);
  });

  it('second run makes zero writes and returns already_present', async () => {
    expect((await connector().ensureOwnerProperty(REP1)).outcome).toBe('created');
    const writes = emulator.writeLog.length;

    const second = await connector().ensureOwnerProperty(REP1);

    expect(second.outcome).toBe('already_present');
    expect(emulator.writeLog).toHaveLength(writes);
    expect(valuesOf()).toHaveLength(1);
  });

  it('the owner field is visible to the member only after the grant', async () => {
    const member = emulator.issueSession(REP1.id);
    const colleague = emulator.issueSession(ADMIN_ID);
    const before = await ownerFieldAs(server.baseUrl, member);
    expect(before.described).toBeUndefined();

    await connector().ensureOwnerProperty(REP1);

    // Created by the Tooling API, the field has no field-level security of its own.
    expect(emulator.customField('Assistant_Owner')).toBeDefined();
    expect(await ownerFieldAs(server.baseUrl, member)).toEqual({
      described: expect.objectContaining({ name: 'Assistant_Owner__c', updateable: true }) as {
        name: string;
      },
      queryStatus: 200,
      queryErrorCode: undefined,
    });
    // Granted to the member's Salesforce user only, not to everyone.
    expect(await ownerFieldAs(server.baseUrl, colleague)).toEqual({
      described: undefined,
      queryStatus: 400,
      queryErrorCode: 'INVALID_FIELD',
    });
    const set = emulator.state.permissionSets.filter((ps) => ps.Name === ERGO_PERMISSION_SET.name);
    expect(set).toHaveLength(1);
    expect(emulator.state.fieldPermissions.filter((fp) => fp.ParentId === set[0]?.Id)).toEqual([
      expect.objectContaining({
        SobjectType: 'Opportunity',
        Field: 'Opportunity.Assistant_Owner__c',
        PermissionsRead: true,
        PermissionsEdit: true,
      }),
    ]);
    expect(before).toEqual({
      described: undefined,
      queryStatus: 400,
      queryErrorCode: 'INVALID_FIELD',
    });
  });

  it("a second owner reuses the permission set and its field permissions: only the owner's assignment is new", async () => {
    await connector().ensureOwnerProperty(REP1);
    const writes = emulator.writeLog.length;

    const second = await connector().ensureOwnerProperty(OWNER);

    expect(second.outcome).toBe('option_added');
    expect(emulator.writeLog.slice(writes).map((e) => `${e.method} ${e.path}`)).toEqual([
      `PATCH ${API}/tooling/sobjects/CustomField/${emulator.customField('Assistant_Owner')?.Id ?? ''}`,
      `POST ${API}/sobjects/PermissionSetAssignment`,
    ]);
    expect(emulator.state.permissionSetAssignments.map((a) => a.AssigneeId).sort()).toEqual(
      [OWNER.id, REP1.id].sort(),
    );
    expect(
      (await ownerFieldAs(server.baseUrl, emulator.issueSession(OWNER.id))).described,
    ).toBeDefined();
  });

  it('owners granted at the same time share one permission set and one field permissions row', async () => {
    // Bulk Sync CRM runs several members' owner steps at once against one org.
    await connector().ensureOwnerProperty(ADMIN_OWNER);
    emulator.state.permissionSets = emulator.state.permissionSets.filter(
      (ps) => ps.Name !== ERGO_PERMISSION_SET.name,
    );
    emulator.state.permissionSetAssignments = [];

    const results = await Promise.all([
      connector().ensureOwnerProperty(REP1),
      connector().ensureOwnerProperty(OWNER),
    ]);

    expect(results.map((r) => r.outcome)).toEqual(['option_added', 'option_added']);
    // Both looked for the set before either created it: the second create met DUPLICATE_VALUE.
    expect(
      emulator.requestLog
        .filter((e) => e.method === 'POST' && e.path === `${API}/sobjects/PermissionSet`)
        .map((e) => e.status),
    ).toEqual([201, 201, 400]);
    const sets = emulator.state.permissionSets.filter((ps) => ps.Name === ERGO_PERMISSION_SET.name);
    expect(sets).toHaveLength(1);
    expect(
      emulator.state.fieldPermissions.filter((fp) => fp.ParentId === sets[0]?.Id),
    ).toHaveLength(1);
    expect(emulator.state.permissionSetAssignments.map((a) => a.AssigneeId).sort()).toEqual(
      [OWNER.id, REP1.id].sort(),
    );
  });

  it('field permissions that lost edit on the field are given it back', async () => {
    await connector().ensureOwnerProperty(REP1);
    const ergo = emulator.state.permissionSets.find((ps) => ps.Name === ERGO_PERMISSION_SET.name);
    const row = emulator.state.fieldPermissions.find((fp) => fp.ParentId === ergo?.Id);
    if (!row) throw new Error('no field permissions');
    row.PermissionsEdit = false;
    expect((await ownerFieldAs(server.baseUrl, emulator.issueSession(REP1.id))).described).toEqual(
      expect.objectContaining({ updateable: false }),
    );
    const writes = emulator.writeLog.length;

    const again = await connector().ensureOwnerProperty(REP1);

    expect(again.outcome).toBe('already_present');
    expect(again.detail).toBe('Priya Natarajan was given access to the field again.');
    expect(emulator.writeLog.slice(writes).map((e) => `${e.method} ${e.path}`)).toEqual([
      `PATCH ${API}/sobjects/FieldPermissions/${row.Id}`,
    ]);
    expect((await ownerFieldAs(server.baseUrl, emulator.issueSession(REP1.id))).described).toEqual(
      expect.objectContaining({ updateable: true }),
    );
  });

  it('an assignment made meanwhile (DUPLICATE_VALUE) counts as granted', async () => {
    // Another Sync CRM assigns the set between our query for the assignment and our insert.
    const racing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = input instanceof Request ? input.url : input.toString();
      const ergo = emulator.state.permissionSets.find((ps) => ps.Name === ERGO_PERMISSION_SET.name);
      if (ergo && url.includes('FROM+PermissionSetAssignment')) {
        emulator.state.permissionSetAssignments.push({
          Id: '0Pa000000000001AAA',
          PermissionSetId: ergo.Id,
          AssigneeId: REP1.id,
          IsActive: true,
        });
      }
      return response;
    };

    const result = await connector(TOKEN, { fetch: racing }).ensureOwnerProperty(REP1);

    expect(result.outcome).toBe('created');
    const refused = emulator.requestLog.find(
      (e) => e.method === 'POST' && e.path === `${API}/sobjects/PermissionSetAssignment`,
    );
    expect(refused?.status).toBe(400);
    expect(emulator.state.permissionSetAssignments).toHaveLength(1);
    expect(
      (await ownerFieldAs(server.baseUrl, emulator.issueSession(REP1.id))).described,
    ).toBeDefined();
  });

  it('a refused grant is reported as not_permitted, never as created, and a later run grants it', async () => {
    emulator.setFaults({ permissionsNotPermitted: true });

    const refused = await connector().ensureOwnerProperty(REP1);

    expect(refused.outcome).toBe('not_permitted');
    expect(refused.detail).toBe(
      'The Assistant owner field is in Salesforce, but Salesforce refused to give Priya Natarajan access to it (the user needs the Manage Profiles and Permission Sets and Assign Permission Sets permissions).',
    );
    expect(emulator.customField('Assistant_Owner')).toBeDefined();
    const member = emulator.issueSession(REP1.id);
    expect((await ownerFieldAs(server.baseUrl, member)).described).toBeUndefined();

    emulator.resetFaults();
    const later = await connector().ensureOwnerProperty(REP1);

    expect(later).toMatchObject({
      outcome: 'already_present',
      detail: 'Priya Natarajan was given access to the field again.',
    });
    expect((await ownerFieldAs(server.baseUrl, member)).described).toBeDefined();
  });

  it('a grant that fails on the way keeps its error kind and says the field exists', async () => {
    // The field's create succeeds; the permission set's create meets the org's daily quota.
    const quota: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      if (init?.method === 'POST' && url.endsWith('/sobjects/PermissionSet')) {
        emulator.setFaults({ rateLimits: 1 });
      }
      return fetch(input, init);
    };

    const error = await connector(TOKEN, { fetch: quota })
      .ensureOwnerProperty(REP1)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ kind: 'quota_exhausted', vendorCode: 'REQUEST_LIMIT_EXCEEDED' });
    expect((error as CrmError).message).toMatch(
      /^The Assistant owner field is in Salesforce, but giving Priya Natarajan access to it failed: The Salesforce org's API request allowance/,
    );
  });

  it('a field created concurrently is picked up instead of failing', async () => {
    // Someone else creates the field between our Tooling query and our insert.
    let injected = false;
    const racing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (
        !injected &&
        (input instanceof Request ? input.url : input.toString()).includes('/tooling/query')
      ) {
        injected = true;
        emulator.state.customFields.push(existingOwnerField());
      }
      return response;
    };

    const result = await connector(TOKEN, { fetch: racing }).ensureOwnerProperty(REP1);

    expect(result.outcome).toBe('option_added');
    expect(emulator.requestLog.map((e) => `${e.method} ${e.status}`)).toContain('POST 400');
    expect(valuesOf().map((v) => v.fullName)).toEqual([
      OWNER.id,
      ADMIN_ID,
      '005000000000099AAA',
      REP1.id,
    ]);
  });

  it('Test connection names the instance host and the user from userinfo; Salesforce reports no scopes or expiry', async () => {
    const session = emulator.issueSession(REP1.id);
    const result = await connector(session).verifyCredentials();
    expect(result).toEqual({
      status: 'valid',
      account: `${new URL(server.baseUrl).host} as ${REP1.name}`,
    });
    expect(result.scopes).toBeUndefined();
    expect(result.expiresAt).toBeUndefined();
    expect(emulator.requestLog.map((r) => r.path)).toEqual(['/services/oauth2/userinfo']);
  });

  it('401 INVALID_SESSION_ID is expired (Salesforce does not tell unknown from timed out); a refused header is invalid', async () => {
    expect(await connector().verifyCredentials()).toEqual({
      status: 'valid',
      account: `${new URL(server.baseUrl).host} as ${OWNER.name}`,
    });

    const unknown = await connector('00D000000000001!AQ0AQnot.a.real.session').verifyCredentials();
    expect(unknown.status).toBe('expired');
    expect(unknown.vendorCode).toBe('INVALID_SESSION_ID');

    const noHeader = await fetch(`${server.baseUrl}/services/data/v60.0/limits`);
    expect(noHeader.status).toBe(401);
    expect(await noHeader.json()).toEqual([
      { errorCode: 'INVALID_AUTH_HEADER', message: 'INVALID_HEADER_TYPE', fields: [] },
    ]);

    emulator.setFaults({ tokensExpired: true });
    const expired = await connector().verifyCredentials();
    expect(expired.status).toBe('expired');
    expect(expired.vendorCode).toBe('INVALID_SESSION_ID');
    expect(expired.detail).toContain('Session expired or invalid');
  });

  it("REQUEST_LIMIT_EXCEEDED (the org's 24-hour quota) is never retried: quota_exhausted after one request, even with Retry-After", async () => {
    emulator.setFaults({ rateLimits: 5, retryAfterSeconds: 1 });
    const retries: unknown[] = [];

    const error = await connector(TOKEN, { onRetry: (info) => retries.push(info) })
      .findOwnerByEmail('owner@acme.test')
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({
      kind: 'quota_exhausted',
      status: 403,
      vendorCode: 'REQUEST_LIMIT_EXCEEDED',
      attempts: 1,
    });
    expect((error as CrmError).message).toMatch(/allowance for the last 24 hours is used up/);
    expect(retries).toEqual([]);
    expect(emulator.requestLog.map((e) => e.status)).toEqual([403]);
  });

  it('persistent 5xx ends in a server_error CrmError after bounded retries within the budget', async () => {
    emulator.setFaults({ serverErrors: 1_000 });
    const started = Date.now();

    const error = await connector()
      .findOwnerByEmail('owner@acme.test')
      .catch((e: unknown) => e);

    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(CrmError);
    expect((error as CrmError).kind).toBe('server_error');
    expect((error as CrmError).vendorCode).toBe('SERVER_UNAVAILABLE');
    expect((error as CrmError).attempts).toBe(FAST.maxAttempts);
    expect(emulator.requestLog).toHaveLength(FAST.maxAttempts ?? 0);
    expect(elapsed).toBeLessThan(FAST.budgetMs ?? 0);
    // The same failure is "unreachable" to verifyCredentials, which never throws.
    expect((await connector().verifyCredentials()).status).toBe('unreachable');
  });

  it('the wrong auth scheme is rejected by the emulator', async () => {
    const call = (authorization: string) =>
      fetch(`${server.baseUrl}${API}/limits`, { headers: { authorization } });

    const wrong = await call(`Token ${TOKEN}`);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual([
      { message: 'INVALID_HEADER_TYPE', errorCode: 'INVALID_AUTH_HEADER', fields: [] },
    ]);
    expect(wrong.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/100000$/);
    expect((await call(`Zoho-oauthtoken ${TOKEN}`)).status).toBe(401);
    expect((await call(`Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`)).status).toBe(401);
    expect((await fetch(`${server.baseUrl}${API}/limits`)).status).toBe(401);
    expect((await call(`Bearer ${TOKEN}`)).status).toBe(200);
    // Salesforce still takes its legacy `OAuth` scheme.
    expect((await call(`OAuth ${TOKEN}`)).status).toBe(200);
  });

  it("a CrmError's message never contains the token", async () => {
    const messages: string[] = [];
    const capture = async (promise: Promise<unknown>) => {
      const error = await promise.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CrmError);
      messages.push((error as CrmError).message, JSON.stringify(error), String(error));
    };

    // A reply echoing the token back in its message.
    const echoing = connector(TOKEN, {
      fetch: () =>
        Promise.resolve(
          Response.json([{ message: `Bad session ${TOKEN}`, errorCode: 'INVALID_SESSION_ID' }], {
            status: 401,
          }),
        ),
    });
    await capture(echoing.findOwnerByEmail('owner@acme.test'));
    expect(messages[0]).toContain('[redacted]');

    emulator.setFaults({ tokensExpired: true });
    await capture(connector().ensureOwnerProperty(REP1));
    emulator.resetFaults();
    emulator.setFaults({ serverErrors: 1_000 });
    await capture(connector().listStages());
    emulator.resetFaults();
    emulator.setFaults({ rateLimits: 1_000, retryAfterSeconds: 0 });
    await capture(connector().listRecordTypes());
    await server.close();
    await capture(connector().findOwnerByEmail('owner@acme.test'));
    await start();

    expect(messages).toHaveLength(15);
    for (const message of messages) expect(message).not.toContain(TOKEN);
  });

  it('metadata changes refused by Salesforce are reported as not_permitted', async () => {
    emulator.setFaults({ metadataNotPermitted: true });

    const created = await connector().ensureOwnerProperty(REP1);
    expect(created.outcome).toBe('not_permitted');
    expect(emulator.customField('Assistant_Owner')).toBeUndefined();

    await server.close();
    await start({ customFields: [existingOwnerField()] });
    emulator.setFaults({ metadataNotPermitted: true });
    const added = await connector().ensureOwnerProperty(REP1);
    expect(added.outcome).toBe('not_permitted');
    expect(valuesOf()).toHaveLength(3);
    expect(emulator.writeLog).toHaveLength(0);
    expect(emulator.requestLog.at(-1)).toMatchObject({ method: 'PATCH', status: 403 });
  });

  it('lists the active Opportunity record types', async () => {
    const recordTypes = await connector().listRecordTypes();

    expect(recordTypes).toEqual([
      {
        id: '012000000000001AAA',
        name: 'New Business',
        developerName: 'New_Business',
        isActive: true,
      },
      { id: '012000000000002AAA', name: 'Renewal', developerName: 'Renewal', isActive: true },
      {
        id: '012000000000004AAA',
        name: 'Partner Deal',
        developerName: 'Partner_Deal',
        isActive: true,
      },
    ]);
  });

  it('lists the active opportunity stages in sort order', async () => {
    await server.close();
    await start({
      stages: [
        {
          Id: '01J000000000020AAA',
          MasterLabel: 'Closed Won',
          ApiName: 'Closed Won',
          SortOrder: 3,
          IsActive: true,
          IsClosed: true,
          IsWon: true,
          DefaultProbability: 100,
          ForecastCategoryName: 'Closed',
          Description: null,
        },
        {
          Id: '01J000000000021AAA',
          MasterLabel: 'Prospecting',
          ApiName: 'Prospecting',
          SortOrder: 1,
          IsActive: true,
          IsClosed: false,
          IsWon: false,
          DefaultProbability: null,
          ForecastCategoryName: 'Pipeline',
          Description: null,
        },
        {
          Id: '01J000000000022AAA',
          MasterLabel: 'Parked',
          ApiName: 'Parked',
          SortOrder: 2,
          IsActive: false,
          IsClosed: false,
          IsWon: false,
          DefaultProbability: 5,
          ForecastCategoryName: 'Omitted',
          Description: null,
        },
      ],
    });

    const stages = await connector().listStages();

    expect(stages).toEqual([
      {
        id: '01J000000000021AAA',
        label: 'Prospecting',
        apiName: 'Prospecting',
        sortOrder: 1,
        isClosed: false,
        isWon: false,
        defaultProbability: null,
      },
      {
        id: '01J000000000020AAA',
        label: 'Closed Won',
        apiName: 'Closed Won',
        sortOrder: 3,
        isClosed: true,
        isWon: true,
        defaultProbability: 100,
      },
    ]);
  });

  it('the default seed has the standard stages, one retired', async () => {
    const stages = await connector().listStages();

    expect(stages.map((s) => s.apiName)).toEqual([
      'Prospecting',
      'Qualification',
      'Needs Analysis',
      'Value Proposition',
      'Id. Decision Makers',
      'Perception Analysis',
      'Proposal/Price Quote',
      'Negotiation/Review',
      'Legal Review',
      'Closed Won',
      'Closed Lost',
    ]);
    expect(stages.find((s) => s.apiName === 'Closed Won')).toMatchObject({
      isWon: true,
      isClosed: true,
    });
  });

  it('an explicit baseUrl wins over the credential instance URL', async () => {
    const overridden = new SalesforceConnector({
      credentials: {
        crm: 'salesforce',
        secrets: { accessToken: TOKEN },
        instance: { instanceUrl: 'http://127.0.0.1:1' },
      },
      baseUrl: server.baseUrl,
      policy: FAST,
    });

    // The label names the org's instance from the credential; the request went to baseUrl.
    expect(await overridden.verifyCredentials()).toEqual({
      status: 'valid',
      account: `127.0.0.1:1 as ${OWNER.name}`,
    });
    expect(emulator.requestLog[0]?.path).toBe('/services/oauth2/userinfo');
  });

  it('the refresh grant returns the emulator as instance_url and a working token', async () => {
    const refresh = (refreshToken: string) =>
      fetch(`${server.baseUrl}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: 'ergo-admin',
          client_secret: 'not-checked',
          refresh_token: refreshToken,
        }),
      });

    const granted = await refresh('5Aep861demo-owner-salesforce-refresh-0001');
    expect(granted.status).toBe(200);
    const body = (await granted.json()) as { access_token: string; instance_url: string };
    expect(body).toMatchObject({ instance_url: server.baseUrl, token_type: 'Bearer' });
    expect(await connector(body.access_token).verifyCredentials()).toMatchObject({
      status: 'valid',
    });

    const refused = await refresh('5Aep861not-a-refresh-token');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'expired access/refresh token',
    });
  });

  it('given the demo accounts, it accepts the demo token and knows the demo users', async () => {
    const demo = connector('00Ddemo000000001!demo-owner-salesforce-access-0001');
    expect(await demo.verifyCredentials()).toMatchObject({ status: 'valid' });
    expect(await demo.findOwnerByEmail('owner@acme.test')).toEqual(OWNER);
    const byEmail = new Map(emulator.state.users.map((u) => [u.Email, u.Id]));
    expect(byEmail.get('admin@acme.test')).toBe(ADMIN_ID);
    for (let n = 1; n <= 10; n += 1) {
      expect(byEmail.get(`rep${n}@acme.test`)).toBe(`005${String(10 + n).padStart(12, '0')}AAA`);
    }
    expect(emulator.state.users.filter((u) => u.IsActive).length).toBeGreaterThan(200);
    expect(emulator.customField('Deal_Source')?.valueSet?.values).toHaveLength(4);
  });
});
