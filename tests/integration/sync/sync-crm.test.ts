import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CRM_KEYS, type CrmKey } from '#src/domain/crm.ts';
import type { CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import { createConnectorFactory } from '#src/integrations/crm/crm-connectors.ts';
import type { RunningEmulators } from '#emulators/start-emulators.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { readCrmCredentials } from '#src/services/crm-connections/crm-connection.service.ts';
import { readCategory } from '#src/services/settings/settings-store.ts';
import { revertSync } from '#src/services/sync/revert-sync.service.ts';
import { previewSyncCrm } from '#src/services/sync/sync-crm-preview.service.ts';
import { listSyncs } from '#src/services/sync/sync-history.service.ts';
import {
  syncCrm,
  syncCrmOwnerProperties,
  type SyncCrmDeps,
} from '#src/services/sync/sync-crm.service.ts';
import {
  emulatorPeople,
  makeCrmConnections,
  startEmulatorsAccepting,
} from '#tests/factories/crm-connection.factory.ts';
import { SalesforceEmulator } from '#emulators/salesforce.emulator.ts';
import { ERGO_PERMISSION_SET } from '#src/integrations/crm/salesforce/salesforce.adapter.ts';
import { ownerFieldAs } from '#tests/support/salesforce-field-access.ts';
import { dashboardState } from '#tests/factories/dashboard.factory.ts';
import { insertOrganizationWithPeople } from '#tests/factories/organization.factory.ts';
import { HUBSPOT_KEY, keyring, MEMBER_PIPEDRIVE_KEY } from '#tests/integration/sync/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Sync CRM end to end: the database, the connectors, and the five CRM emulators over HTTP on
 * 127.0.0.1. The organization admin's keys come from the CRM connection factory; the emulators
 * accept them, and their own fixtures (the CRM users found by e-mail) stay theirs.
 */

let database: TestDatabase;
let uow: UnitOfWork;
let emulators: RunningEmulators;
let deps: SyncCrmDeps;
let ownerKeys: CrmCredentials[];

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  ownerKeys = makeCrmConnections();
  expect(ownerKeys.map((k) => k.crm).sort()).toEqual([...CRM_KEYS].sort());
});
afterAll(async () => {
  await database.close();
});

let organizationId: string;
let primaryAdminId: string;
let adminId: string;

beforeEach(async () => {
  // Fresh CRMs for every test: fields created by one test must not leak into the next.
  emulators = await startEmulatorsAccepting(ownerKeys);
  deps = {
    uow,
    keyring,
    connectorFor: createConnectorFactory({
      baseUrls: emulators.urls,
      policy: FAST_RETRY_POLICY,
    }),
  };
});
afterEach(async () => {
  await emulators.close();
  await database.db.deleteFrom('organizations').where('id', '=', organizationId).execute();
});

/**
 * The organization admin with `ownerKeys`, a secondary admin with a HubSpot key and a member
 * with a Pipedrive key, all with empty dashboards. The e-mails are CRM users the emulators know.
 */
async function setup(options: { ownerKeys: CrmCredentials[]; memberEmail?: string }) {
  const org = await insertOrganizationWithPeople(uow, keyring, {
    primaryAdmin: { email: 'owner@acme.test', canLogIn: false, crm: options.ownerKeys },
    admins: [{ email: 'admin@acme.test', canLogIn: false, crm: [HUBSPOT_KEY] }],
    members: [
      {
        email: options.memberEmail ?? 'rep1@acme.test',
        canLogIn: false,
        crm: [MEMBER_PIPEDRIVE_KEY],
      },
    ],
  });
  organizationId = org.organizationId;
  primaryAdminId = org.primaryAdmin.id;
  const [admin] = org.admins;
  const [member] = org.members;
  if (!admin || !member) throw new Error('setup: users missing');
  adminId = admin.id;
  return member.id;
}

const writes = () =>
  Object.fromEntries(
    CRM_KEYS.map((crm) => [crm, emulators.servers[crm].writeLog.length]),
  ) as Record<CrmKey, number>;

describe('Sync CRM (SPEC §3)', () => {
  it("Sync CRM uses the organization admin's keys even when a secondary admin acts", async () => {
    const memberId = await setup({ ownerKeys });
    const result = await syncCrm(deps, { actorId: adminId }, memberId);
    expect(result.copied.sort()).toEqual([...CRM_KEYS].sort());
    const keys = await readCrmCredentials(uow.read, keyring, memberId);
    expect(keys.find((k) => k.crm === 'hubspot')).toEqual(
      ownerKeys.find((k) => k.crm === 'hubspot'),
    );
    expect(keys.find((k) => k.crm === 'hubspot')).not.toEqual(HUBSPOT_KEY);
    expect(JSON.stringify(result)).not.toMatch(/pat-na1|api-token|access-token/);
  });

  it("finds the member's CRM owner by email and ensures the owner property in every CRM", async () => {
    const memberId = await setup({ ownerKeys });
    const result = await syncCrm(deps, { actorId: adminId }, memberId);
    for (const crm of result.crms) {
      expect(crm.owner.status, crm.crm).toBe('found');
      expect(['created', 'option_added'], crm.crm).toContain(crm.ownerProperty.status);
    }
    const { value } = await readCategory(uow.read, memberId, 'custom_properties');
    expect(
      value.properties
        .filter((p) => p.ownerProperty)
        .map((p) => p.crm)
        .sort(),
    ).toEqual([...CRM_KEYS].sort());
    expect(value.properties.find((p) => p.crm === 'hubspot')?.options).toEqual([
      { label: expect.any(String) as string, value: '41629711' },
    ]);
  });

  it('a second Sync CRM creates nothing in the CRMs', async () => {
    const memberId = await setup({ ownerKeys });
    await syncCrm(deps, { actorId: adminId }, memberId);
    const before = writes();
    const second = await syncCrm(deps, { actorId: adminId }, memberId);
    expect(second.crms.map((c) => c.ownerProperty.status)).toEqual(
      CRM_KEYS.map(() => 'already_present'),
    );
    expect(writes()).toEqual(before);
  });

  it('no CRM keys on the organization admin: success, nothing copied, and the result says so', async () => {
    const memberId = await setup({ ownerKeys: [] });
    const before = await dashboardState(uow, keyring, memberId);
    const result = await syncCrm(deps, { actorId: adminId }, memberId);
    expect(result).toMatchObject({
      copied: [],
      crms: [],
      message: 'The organization admin has no CRM keys, so there was nothing to copy.',
    });
    expect(await dashboardState(uow, keyring, memberId)).toEqual(before);
  });

  it('a CRM-side failure never loses the copied keys, and the owner-property step can be re-run alone', async () => {
    const memberId = await setup({ ownerKeys });
    emulators.servers.hubspot.setFaults({ serverErrors: 1000 });
    const result = await syncCrm(deps, { actorId: adminId }, memberId);
    const hubspot = result.crms.find((c) => c.crm === 'hubspot');
    expect(hubspot?.owner).toMatchObject({ status: 'failed' });
    expect(
      result.crms.filter((c) => c.crm !== 'hubspot').every((c) => c.owner.status === 'found'),
    ).toBe(true);
    expect(
      (await readCrmCredentials(uow.read, keyring, memberId)).map((k) => k.crm).sort(),
    ).toEqual([...CRM_KEYS].sort());

    emulators.servers.hubspot.resetFaults();
    const retry = await syncCrmOwnerProperties(deps, { actorId: adminId }, memberId);
    expect(retry.crms.find((c) => c.crm === 'hubspot')?.ownerProperty.status).toMatch(
      /created|option_added/,
    );
    expect(
      retry.crms.filter((c) => c.crm !== 'hubspot').map((c) => c.ownerProperty.status),
    ).toEqual(CRM_KEYS.filter((c) => c !== 'hubspot').map(() => 'already_present'));
  });

  it('a member unknown to a CRM is reported as owner not found, not as an error', async () => {
    const memberId = await setup({ ownerKeys, memberEmail: 'new-hire@acme.test' });
    const result = await syncCrm(deps, { actorId: adminId }, memberId);
    expect(
      result.crms.every(
        (c) => c.owner.status === 'not_found' && c.ownerProperty.status === 'skipped',
      ),
    ).toBe(true);
  });

  it("reverting a Sync CRM restores the member's previous keys and custom properties", async () => {
    const memberId = await setup({ ownerKeys });
    const before = await dashboardState(uow, keyring, memberId);
    const result = await syncCrm(deps, { actorId: adminId }, memberId);
    await revertSync(deps, { actorId: primaryAdminId }, result.syncId);
    expect(await dashboardState(uow, keyring, memberId)).toEqual(before);
  });
});

describe('Sync CRM result codes for rate limits', () => {
  it("HubSpot's DAILY 429 gives code rate_limited at once, without retries", async () => {
    const memberId = await setup({ ownerKeys });
    const hubspot = emulators.servers.hubspot;
    hubspot.setFaults({ rateLimits: 100, rateLimitPolicy: 'DAILY' });

    const result = await syncCrm(deps, { actorId: adminId }, memberId);

    expect(result.crms.find((c) => c.crm === 'hubspot')).toMatchObject({
      owner: {
        status: 'failed',
        code: 'rate_limited',
        reason: expect.stringMatching(/HubSpot's daily API limit .* is used up/) as string,
      },
      ownerProperty: { status: 'skipped' },
    });
    expect(hubspot.requestLog.map((e) => e.status)).toEqual([429]);
  });

  it('Salesforce REQUEST_LIMIT_EXCEEDED gives code quota_exhausted at once, without retries', async () => {
    const memberId = await setup({ ownerKeys });
    const salesforce = emulators.servers.salesforce;
    salesforce.setFaults({ rateLimits: 100 });

    const result = await syncCrm(deps, { actorId: adminId }, memberId);

    expect(result.crms.find((c) => c.crm === 'salesforce')).toMatchObject({
      owner: {
        status: 'failed',
        code: 'quota_exhausted',
        reason: expect.stringMatching(/allowance for the last 24 hours is used up/) as string,
      },
      ownerProperty: { status: 'skipped' },
    });
    expect(salesforce.requestLog.map((e) => e.status)).toEqual([403]);
    // The other CRMs went on.
    expect(result.crms.find((c) => c.crm === 'hubspot')?.owner.status).toBe('found');
  });
});

describe('Sync CRM and Salesforce field-level security', () => {
  /** The Salesforce emulator, and a session of the member's Salesforce user (rep1@acme.test). */
  function salesforceAsMember() {
    const salesforce = emulators.servers.salesforce;
    if (!(salesforce instanceof SalesforceEmulator)) throw new Error('not the Salesforce emulator');
    const userId = emulatorPeople('salesforce').find((p) => p.email === 'rep1@acme.test')?.id;
    if (!userId) throw new Error('rep1 is not a Salesforce user');
    return { salesforce, userId, session: salesforce.issueSession(userId) };
  }

  it('the owner field is visible to the member only after the grant', async () => {
    const memberId = await setup({ ownerKeys });
    const { session } = salesforceAsMember();
    const before = await ownerFieldAs(emulators.urls.salesforce, session);

    const result = await syncCrm(deps, { actorId: adminId }, memberId);

    expect(before.described).toBeUndefined();
    expect(result.crms.find((c) => c.crm === 'salesforce')?.ownerProperty).toEqual({
      status: 'created',
    });
    expect(await ownerFieldAs(emulators.urls.salesforce, session)).toMatchObject({
      described: { name: 'Assistant_Owner__c', updateable: true },
      queryStatus: 200,
    });
  });

  it('a second Sync CRM reuses the permission set and assignment', async () => {
    const memberId = await setup({ ownerKeys });
    const { salesforce, userId } = salesforceAsMember();
    await syncCrm(deps, { actorId: adminId }, memberId);
    const writes = salesforce.writeLog.length;

    const second = await syncCrm(deps, { actorId: adminId }, memberId);

    expect(second.crms.find((c) => c.crm === 'salesforce')?.ownerProperty.status).toBe(
      'already_present',
    );
    expect(salesforce.writeLog).toHaveLength(writes);
    const sets = salesforce.state.permissionSets.filter(
      (ps) => ps.Name === ERGO_PERMISSION_SET.name,
    );
    expect(sets).toHaveLength(1);
    expect(
      salesforce.state.fieldPermissions.filter((fp) => fp.ParentId === sets[0]?.Id),
    ).toHaveLength(1);
    expect(salesforce.state.permissionSetAssignments).toEqual([
      expect.objectContaining({ PermissionSetId: sets[0]?.Id, AssigneeId: userId }),
    ]);
  });

  it('a grant Salesforce refuses is reported as not permitted, never as created', async () => {
    const memberId = await setup({ ownerKeys });
    const { salesforce, session } = salesforceAsMember();
    salesforce.setFaults({ permissionsNotPermitted: true });

    const result = await syncCrm(deps, { actorId: adminId }, memberId);

    expect(result.crms.find((c) => c.crm === 'salesforce')?.ownerProperty).toEqual({
      status: 'not_permitted',
      reason: expect.stringMatching(
        /^The Assistant owner field is in Salesforce, but Salesforce refused to give .+ access to it/,
      ) as string,
    });
    expect((await ownerFieldAs(emulators.urls.salesforce, session)).described).toBeUndefined();
  });
});

describe('Sync CRM preview: confirm before overwriting (issue 14)', () => {
  it("names the member's own connections Sync CRM would replace, and none once they match", async () => {
    const memberId = await setup({ ownerKeys });
    const before = await previewSyncCrm(deps, { actorId: adminId }, memberId);
    expect(before).toEqual({
      targetUserId: memberId,
      from: { id: primaryAdminId, name: expect.any(String) as string },
      copies: [...CRM_KEYS],
      replaces: ['pipedrive'],
      unchanged: [],
      kept: [],
    });
    expect(JSON.stringify(before)).not.toMatch(/member-pipedrive-token|fp:/);

    await syncCrm(deps, { actorId: adminId }, memberId);
    expect(await previewSyncCrm(deps, { actorId: adminId }, memberId)).toMatchObject({
      replaces: [],
      unchanged: [...CRM_KEYS],
    });
  });

  it('an organization admin without keys replaces nothing and keeps what the member has', async () => {
    const memberId = await setup({ ownerKeys: [] });
    expect(await previewSyncCrm(deps, { actorId: adminId }, memberId)).toMatchObject({
      copies: [],
      replaces: [],
      unchanged: [],
      kept: ['pipedrive'],
    });
  });

  it('is refused as Sync CRM is: a member without a dashboard, the primary admin', async () => {
    await setup({ ownerKeys });
    const invited = await insertOrganizationWithPeople(uow, keyring, {
      primaryAdmin: { email: 'owner2@acme.test', canLogIn: false },
      members: [{ email: 'invited@acme.test', canLogIn: false, dashboard: false }],
    });
    try {
      const [member] = invited.members;
      await expect(
        previewSyncCrm(deps, { actorId: invited.primaryAdmin.id }, member?.id ?? ''),
      ).rejects.toMatchObject({ code: 'dashboard_missing' });
      await expect(
        previewSyncCrm(deps, { actorId: adminId }, primaryAdminId),
      ).rejects.toMatchObject({ code: 'forbidden' });
    } finally {
      await database.db
        .deleteFrom('organizations')
        .where('id', '=', invited.organizationId)
        .execute();
    }
  });
});

describe('Sync CRM with failing CRMs: partial, in words (issue 14)', () => {
  it('a CRM that does not answer: the run is partial, the reason says so in words, the keys stay', async () => {
    const memberId = await setup({ ownerKeys });
    emulators.servers.hubspot.setFaults({ latencyMs: 2_500 });

    const result = await syncCrm(deps, { actorId: adminId }, memberId);

    expect(result.status).toBe('partial');
    expect(result.copied.sort()).toEqual([...CRM_KEYS].sort());
    expect(result.crms.find((c) => c.crm === 'hubspot')?.owner).toEqual({
      status: 'failed',
      code: 'timeout',
      reason: 'HubSpot did not answer within 2 seconds. Try again in a few minutes.',
      detail: 'The CRM did not answer within 2000 ms.',
    });
    const [entry] = (await listSyncs(deps, { actorId: adminId }, { memberId })).items;
    expect(entry).toMatchObject({ id: result.syncId, action: 'sync_crm', status: 'partial' });

    // A partial run's keys are in place: it can be reverted like an applied one.
    await revertSync(deps, { actorId: primaryAdminId }, result.syncId);
  }, 20_000);

  it('a bare status line becomes a sentence; the CRM’s answer is kept as the detail', async () => {
    const memberId = await setup({ ownerKeys });
    emulators.servers.zoho.setFaults({ serverErrors: 1000 });

    const result = await syncCrm(deps, { actorId: adminId }, memberId);

    const zoho = result.crms.find((c) => c.crm === 'zoho')?.owner;
    expect(zoho).toMatchObject({
      status: 'failed',
      code: 'server_error',
      reason: 'Zoho had a problem on its side. Try again in a few minutes.',
      detail: expect.stringMatching(/^Zoho CRM answered 5\d\d/) as string,
    });
    expect(result.status).toBe('partial');
  });

  it('a run whose every CRM was checked is applied, and so is a retry that succeeds', async () => {
    const memberId = await setup({ ownerKeys });
    emulators.servers.attio.setFaults({ serverErrors: 1000 });
    const first = await syncCrm(deps, { actorId: adminId }, memberId);
    expect(first.status).toBe('partial');

    emulators.servers.attio.resetFaults();
    const retry = await syncCrmOwnerProperties(deps, { actorId: adminId }, memberId);

    expect(retry.status).toBe('applied');
    const items = (await listSyncs(deps, { actorId: adminId }, { memberId })).items;
    expect(items.map((i) => [i.id, i.status])).toEqual([
      [retry.syncId, 'applied'],
      [first.syncId, 'partial'],
    ]);
    const again = await syncCrm(deps, { actorId: adminId }, memberId);
    expect(again.status).toBe('applied');
  });
});
