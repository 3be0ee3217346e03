import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConnectorFactory } from '#src/integrations/crm/crm-connectors.ts';
import { createHubSpotOAuthProvider } from '#src/integrations/crm/oauth/hubspot.oauth.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { readCrmCredentials } from '#src/services/crm-connections/crm-connection.service.ts';
import { grantConnection, insertGrant } from '#src/services/crm-connections/crm-grants.service.ts';
import { revertSync } from '#src/services/sync/revert-sync.service.ts';
import { syncCrm, type SyncCrmDeps } from '#src/services/sync/sync-crm.service.ts';
import { createHubSpotEmulator, type HubSpotEmulator } from '#emulators/hubspot.emulator.ts';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import { emulatorPeople } from '#tests/factories/crm-connection.factory.ts';
import { insertOrganizationWithPeople } from '#tests/factories/organization.factory.ts';
import { keyring } from '#tests/integration/sync/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * The token lifecycle of OAuth connections (issue 12 item 2, ADR 0014) over real HTTP to the
 * HubSpot emulator's authorization server: refresh before expiry, refresh once after a 401,
 * rotation with Sync CRM's copies kept working, and a revoked grant → `reconnect_needed`.
 */

const CLIENT = { clientId: 'ergo-lifecycle-test', clientSecret: 'lifecycle-client-secret-0123' };

let database: TestDatabase;
let uow: UnitOfWork;
let hubspot: HubSpotEmulator;
let started: StartedEmulator;
let deps: SyncCrmDeps;
let organizationId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
});
afterAll(async () => {
  await database.close();
});

beforeEach(async () => {
  hubspot = createHubSpotEmulator({ people: emulatorPeople('hubspot'), oauthClients: [CLIENT] });
  started = await hubspot.start(0);
  deps = {
    uow,
    keyring,
    connectorFor: createConnectorFactory({
      baseUrls: { hubspot: started.baseUrl },
      policy: FAST_RETRY_POLICY,
    }),
    oauth: { hubspot: createHubSpotOAuthProvider({ client: CLIENT, baseUrl: started.baseUrl }) },
  };
});
afterEach(async () => {
  await started.close();
  await database.db.deleteFrom('organizations').where('id', '=', organizationId).execute();
});

/** The organization admin connected to HubSpot by OAuth (its access token living `ttlMs`), two reps. */
async function setup(ttlMs: number) {
  const org = await insertOrganizationWithPeople(uow, keyring, {
    primaryAdmin: { email: 'owner@acme.test', canLogIn: false },
    members: [
      { email: 'rep1@acme.test', canLogIn: false },
      { email: 'rep2@acme.test', canLogIn: false },
    ],
  });
  organizationId = org.organizationId;
  const person = emulatorPeople('hubspot').find((p) => p.email === 'owner@acme.test');
  if (!person) throw new Error('the HubSpot emulator does not know owner@acme.test');
  const issued = hubspot.oauth.issueGrant(person.id, { clientId: CLIENT.clientId });
  const ownerId = org.primaryAdmin.id;
  const grantId = await uow.transaction(async (repos) => {
    const id = await insertGrant(repos, keyring, {
      organizationId,
      crm: 'hubspot',
      connectedBy: ownerId,
      tokens: {
        accessToken: issued.accessToken,
        refreshToken: issued.refreshToken,
        expiresAt: new Date(Date.now() + ttlMs),
        scopes: ['oauth'],
        instance: {},
      },
    });
    await repos.crmConnections.upsertMany([grantConnection(keyring, ownerId, 'hubspot', id, {})]);
    await repos.dashboards.touchCategory(ownerId, 'crm_keys');
    return id;
  });
  const [rep1, rep2] = org.members;
  if (!rep1 || !rep2) throw new Error('setup: members missing');
  return { ownerId, grantId, rep1: rep1.id, rep2: rep2.id };
}

const refreshes = () => hubspot.oauth.tokenRequests.filter((r) => r.grantType === 'refresh_token');

async function grantRow(grantId: string) {
  const [grant] = await uow.read.crmGrants.findMany([grantId]);
  if (!grant) throw new Error('grant missing');
  return grant;
}

async function statusOf(userId: string) {
  const [health] = await uow.read.crmConnections.listOverviewForUser(userId);
  return health?.status;
}

describe('OAuth token lifecycle (issue 12)', () => {
  it('refreshes an access token that expires within five minutes before calling the CRM', async () => {
    const { ownerId, grantId, rep1 } = await setup(60_000);
    const result = await syncCrm(deps, { actorId: ownerId }, rep1);
    expect(result.crms[0]?.owner.status).toBe('found');
    expect(refreshes()).toHaveLength(1);
    // Refreshed first: the CRM never saw the old token refused.
    expect(hubspot.requestLog.filter((r) => r.status === 401)).toHaveLength(0);
    const grant = await grantRow(grantId);
    expect(grant.accessExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 20 * 60_000);
    expect(grant.refreshedAt).not.toBeNull();
  });

  it('refreshes once after the CRM answers 401 and makes the call again', async () => {
    const { ownerId, rep1 } = await setup(3_600_000);
    hubspot.oauth.expireAccessTokens();
    const result = await syncCrm(deps, { actorId: ownerId }, rep1);
    expect(result.crms[0]?.owner.status).toBe('found');
    expect(result.crms[0]?.ownerProperty.status).toBe('created');
    expect(refreshes()).toHaveLength(1);
    expect(hubspot.requestLog.filter((r) => r.status === 401)).toHaveLength(1);
  });

  it('Sync CRM copies an OAuth connection as the same grant, and copies keep working when the refresh token rotates', async () => {
    hubspot.oauth.rotateRefreshTokens = true;
    const { ownerId, grantId, rep1, rep2 } = await setup(3_600_000);
    await syncCrm(deps, { actorId: ownerId }, rep1);
    await syncCrm(deps, { actorId: ownerId }, rep2);
    const rows = await uow.read.crmConnections.listForUsers([ownerId, rep1, rep2]);
    expect(rows.map((r) => r.grantId)).toEqual([grantId, grantId, grantId]);
    expect(rows.every((r) => r.sealed === null)).toBe(true);

    // Both copies' tokens refused at once: one refresh between them (one rotation), both work.
    hubspot.oauth.expireAccessTokens();
    const [a, b] = await Promise.all([
      syncCrm(deps, { actorId: ownerId }, rep1),
      syncCrm(deps, { actorId: ownerId }, rep2),
    ]);
    expect(a.crms[0]?.owner.status).toBe('found');
    expect(b.crms[0]?.owner.status).toBe('found');
    expect(refreshes()).toHaveLength(1);

    // The rotated refresh token was stored once, for all: the next refresh spends it, not the old one.
    hubspot.oauth.expireAccessTokens();
    const c = await syncCrm(deps, { actorId: ownerId }, rep2);
    expect(c.crms[0]?.owner.status).toBe('found');
    expect(refreshes()).toHaveLength(2);
    expect(await statusOf(rep2)).toBe('connected');
    const [owner] = await readCrmCredentials(uow.read, keyring, ownerId);
    const [copy] = await readCrmCredentials(uow.read, keyring, rep1);
    expect(copy).toEqual(owner);
  });

  it('two processes refreshing one grant at once spend the refresh token once (row lock)', async () => {
    hubspot.oauth.rotateRefreshTokens = true;
    const { ownerId, rep1, rep2 } = await setup(3_600_000);
    await syncCrm(deps, { actorId: ownerId }, rep1);
    await syncCrm(deps, { actorId: ownerId }, rep2);
    hubspot.oauth.expireAccessTokens();
    // A slow CRM widens the window in which both callers hold the refused token.
    hubspot.setFaults({ latencyMs: 150 });
    // Each caller has its own in-flight map, as two processes would: only the row lock joins them.
    const [a, b] = await Promise.all([
      syncCrm({ ...deps, inFlight: new Map() }, { actorId: ownerId }, rep1),
      syncCrm({ ...deps, inFlight: new Map() }, { actorId: ownerId }, rep2),
    ]);
    expect(a.crms[0]?.owner.status).toBe('found');
    expect(b.crms[0]?.owner.status).toBe('found');
    expect(refreshes()).toHaveLength(1);
  });

  it('a revoked grant marks every connection on it reconnect_needed, and Sync CRM says so', async () => {
    const { ownerId, grantId, rep1 } = await setup(3_600_000);
    await syncCrm(deps, { actorId: ownerId }, rep1);
    hubspot.oauth.revokeAll();
    const result = await syncCrm(deps, { actorId: ownerId }, rep1);
    const step = result.crms[0];
    expect(step?.owner).toMatchObject({ status: 'failed', code: 'reconnect_needed' });
    expect(step?.owner.status === 'failed' && step.owner.reason).toMatch(/reconnect HubSpot/);
    expect(await statusOf(ownerId)).toBe('reconnect_needed');
    expect(await statusOf(rep1)).toBe('reconnect_needed');
    expect((await grantRow(grantId)).status).toBe('revoked');
    // Nothing retries a revoked grant: a second Sync CRM makes no token request.
    const before = hubspot.oauth.tokenRequests.length;
    const again = await syncCrm(deps, { actorId: ownerId }, rep1);
    expect(again.crms[0]?.owner).toMatchObject({ status: 'failed', code: 'reconnect_needed' });
    expect(hubspot.oauth.tokenRequests.length).toBe(before);
    const audit = await uow.read.audit.listByOrganization(organizationId, { limit: 50 });
    const revoked = audit.find((e) => e.action === 'crm_grant.revoked');
    expect(revoked).toBeDefined();
    expect(JSON.stringify(audit)).not.toContain(CLIENT.clientSecret);
  });

  it("reverting a Sync CRM restores the member's own OAuth connection, or refuses once its grant is gone", async () => {
    const { ownerId, grantId, rep1 } = await setup(3_600_000);
    // rep1 had connected HubSpot themselves (their own grant) before the admin's Sync CRM.
    const person = emulatorPeople('hubspot').find((p) => p.email === 'rep1@acme.test');
    if (!person) throw new Error('the HubSpot emulator does not know rep1@acme.test');
    const own = hubspot.oauth.issueGrant(person.id, { clientId: CLIENT.clientId });
    const ownGrant = await uow.transaction(async (repos) => {
      const id = await insertGrant(repos, keyring, {
        organizationId,
        crm: 'hubspot',
        connectedBy: rep1,
        tokens: { ...own, expiresAt: null, scopes: [], instance: {} },
      });
      await repos.crmConnections.upsertMany([grantConnection(keyring, rep1, 'hubspot', id, {})]);
      await repos.dashboards.touchCategory(rep1, 'crm_keys');
      return id;
    });
    const first = await syncCrm(deps, { actorId: ownerId }, rep1);
    const grantOf = async () =>
      (await uow.read.crmConnections.listForUser(rep1)).find((c) => c.crm === 'hubspot')?.grantId;
    expect(await grantOf()).toBe(grantId);
    await revertSync(deps, { actorId: ownerId }, first.syncId);
    expect(await grantOf()).toBe(ownGrant);

    const second = await syncCrm(deps, { actorId: ownerId }, rep1);
    expect(await grantOf()).toBe(grantId);
    await database.db.deleteFrom('crm_grants').where('id', '=', ownGrant).execute();
    await expect(revertSync(deps, { actorId: ownerId }, second.syncId)).rejects.toMatchObject({
      code: 'version_conflict',
    });
    expect(await grantOf()).toBe(grantId);
  });
});
