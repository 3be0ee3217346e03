import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '#src/domain/errors.ts';
import type { UserStatus } from '#src/domain/roles.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { readCrmCredentials } from '#src/services/crm-connections/crm-connection.service.ts';
import { VALUE_CATEGORY_KEYS } from '#src/services/settings/settings-store.ts';
import {
  deleteOwnCrmConnection,
  getOwnCategory,
  getOwnSettings,
  listOwnCrmConnections,
  putOwnCategory,
  putOwnCrmConnection,
} from '#src/services/settings/own-settings.service.ts';
import { dashboardState, insertUserWithDashboard } from '#tests/factories/dashboard.factory.ts';
import { insertOrganization, insertUser } from '#tests/factories/organization.factory.ts';
import {
  ADMIN_SETTINGS,
  HUBSPOT_KEY,
  keyring,
  MEMBER_PIPEDRIVE_KEY,
  MEMBER_SETTINGS,
} from '#tests/integration/sync/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

let database: TestDatabase;
let uow: UnitOfWork;
let deps: { uow: UnitOfWork; keyring: typeof keyring };
let organizationId: string;
let adminId: string;
let memberId: string;

const MEMBER_HUBSPOT_TOKEN = 'pat-na1-member-9f8e-7d6c-5b4a-3210fedcba98';
const SECRET_VALUES = [
  MEMBER_HUBSPOT_TOKEN,
  ...[HUBSPOT_KEY, MEMBER_PIPEDRIVE_KEY].flatMap((c) => Object.values<string>(c.secrets)),
];

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  deps = { uow, keyring };
});
afterAll(async () => {
  await database.close();
});

beforeEach(async () => {
  const org = await insertOrganization(uow);
  organizationId = org.organizationId;
  adminId = (
    await insertUserWithDashboard(uow, keyring, organizationId, {
      role: 'admin',
      settings: ADMIN_SETTINGS,
      crm: [HUBSPOT_KEY],
    })
  ).id;
  memberId = (
    await insertUserWithDashboard(uow, keyring, organizationId, {
      settings: MEMBER_SETTINGS,
      crm: [MEMBER_PIPEDRIVE_KEY],
    })
  ).id;
});

async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function expectRefused(promise: Promise<unknown>, code: string): Promise<void> {
  expect((await refusalOf(promise)).code).toBe(code);
}

async function dashboardVersion(userId: string): Promise<number> {
  const dashboard = await uow.read.dashboards.find(userId);
  if (!dashboard) throw new Error('no dashboard');
  return dashboard.version;
}

async function setStatus(userId: string, status: UserStatus): Promise<void> {
  await database.db.updateTable('users').set({ status }).where('id', '=', userId).execute();
}

function expectNoSecrets(value: unknown): void {
  const json = JSON.stringify(value);
  for (const secret of SECRET_VALUES) {
    expect(json).not.toContain(secret);
    // not even a long tail of it
    expect(json).not.toContain(secret.slice(-8));
  }
}

const COMPANY = {
  companyName: 'Member Co',
  website: 'https://member.test',
  competitors: ['Initech'],
};

describe('reading your own settings', () => {
  it('a member reads every value category of their own dashboard; CRM keys are not among them', async () => {
    const settings = await getOwnSettings(deps, { actorId: memberId });
    expect(settings.dashboardVersion).toBe(await dashboardVersion(memberId));
    expect(settings.categories.map((c) => c.key)).toEqual(VALUE_CATEGORY_KEYS);
    expect(settings.categories.map((c) => c.key)).not.toContain('crm_keys');
    const byKey = Object.fromEntries(settings.categories.map((c) => [c.key, c]));
    expect(byKey.company_details).toMatchObject({
      label: 'Company details',
      isSet: true,
      version: 1,
      value: { companyName: 'Acme (mine)', description: 'My notes' },
    });
    expect(byKey.meeting_titles).toMatchObject({
      label: 'Meeting titles',
      isSet: false,
      version: 0,
    });
    expectNoSecrets(settings);
  });

  it('one category comes with its version and the dashboard version', async () => {
    await expect(getOwnCategory(deps, { actorId: memberId }, 'task_settings')).resolves.toEqual({
      key: 'task_settings',
      label: 'Task settings',
      isSet: true,
      version: 1,
      value: expect.objectContaining({ defaultDueOffsetDays: 7 }) as unknown,
      // No team policy makes this member follow an admin.
      managed: null,
      dashboardVersion: await dashboardVersion(memberId),
    });
  });

  it('an unknown category or crm_keys is invalid_request', async () => {
    await expectRefused(getOwnCategory(deps, { actorId: memberId }, 'nope'), 'invalid_request');
    await expectRefused(getOwnCategory(deps, { actorId: memberId }, 'crm_keys'), 'invalid_request');
    await expectRefused(
      putOwnCategory(deps, { actorId: memberId }, 'crm_keys', {
        value: {},
        dashboardVersion: await dashboardVersion(memberId),
      }),
      'invalid_request',
    );
    // positive control
    await expect(
      getOwnCategory(deps, { actorId: memberId }, 'alternate_domains'),
    ).resolves.toMatchObject({ key: 'alternate_domains' });
  });

  it('a user without a dashboard gets dashboard_missing for every call, and nothing is created', async () => {
    const pending = await uow.transaction((repos) =>
      insertUser(repos, organizationId, { dashboard: false }),
    );
    const context = { actorId: pending.id };
    const calls: (() => Promise<unknown>)[] = [
      () => getOwnSettings(deps, context),
      () => getOwnCategory(deps, context, 'company_details'),
      () =>
        putOwnCategory(deps, context, 'company_details', { value: COMPANY, dashboardVersion: 1 }),
      () => listOwnCrmConnections(deps, context),
      () =>
        putOwnCrmConnection(deps, context, 'hubspot', {
          secrets: { accessToken: MEMBER_HUBSPOT_TOKEN },
        }),
      () => deleteOwnCrmConnection(deps, context, 'hubspot'),
    ];
    for (const call of calls) await expectRefused(call(), 'dashboard_missing');
    expect(await uow.read.dashboards.find(pending.id)).toBeUndefined();
    // positive control: once the dashboard exists, the same read works
    await uow.transaction((repos) => repos.dashboards.create(pending.id, organizationId));
    await expect(getOwnSettings(deps, context)).resolves.toMatchObject({ dashboardVersion: 1 });
  });

  it('a deactivated or invited user is forbidden for everything, and nothing changes', async () => {
    const before = await dashboardState(uow, keyring, memberId);
    const version = await dashboardVersion(memberId);
    for (const status of ['deactivated', 'invited'] as const) {
      await setStatus(memberId, status);
      const context = { actorId: memberId };
      const calls: (() => Promise<unknown>)[] = [
        () => getOwnSettings(deps, context),
        () => getOwnCategory(deps, context, 'company_details'),
        () =>
          putOwnCategory(deps, context, 'company_details', {
            value: COMPANY,
            dashboardVersion: version,
          }),
        () => listOwnCrmConnections(deps, context),
        () =>
          putOwnCrmConnection(deps, context, 'hubspot', {
            secrets: { accessToken: MEMBER_HUBSPOT_TOKEN },
          }),
        () => deleteOwnCrmConnection(deps, context, 'pipedrive'),
      ];
      for (const call of calls) await expectRefused(call(), 'forbidden');
    }
    expect(await dashboardState(uow, keyring, memberId)).toEqual(before);
    expect(await dashboardVersion(memberId)).toBe(version);
    // positive control: reactivated, the same write goes through
    await setStatus(memberId, 'active');
    await expect(
      putOwnCategory(deps, { actorId: memberId }, 'company_details', {
        value: COMPANY,
        dashboardVersion: version,
      }),
    ).resolves.toMatchObject({ isSet: true });
  });

  it('an unknown actor is forbidden', async () => {
    await expectRefused(
      getOwnSettings(deps, { actorId: '00000000-0000-4000-8000-000000000000' }),
      'forbidden',
    );
  });
});

describe('editing your own settings', () => {
  it('a valid write replaces the category, bumps its version and the dashboard version, and is audited', async () => {
    const read = await getOwnCategory(deps, { actorId: memberId }, 'company_details');
    const written = await putOwnCategory(
      deps,
      { actorId: memberId, requestId: 'req-7' },
      'company_details',
      { value: COMPANY, dashboardVersion: read.dashboardVersion },
    );
    expect(written).toEqual({
      key: 'company_details',
      label: 'Company details',
      isSet: true,
      version: read.version + 1,
      value: {
        companyName: 'Member Co',
        website: 'https://member.test',
        description: '',
        industry: '',
        valueProposition: '',
        competitors: ['Initech'],
      },
      managed: null,
      dashboardVersion: read.dashboardVersion + 1,
    });
    expect(await getOwnCategory(deps, { actorId: memberId }, 'company_details')).toEqual(written);
    const audit = await uow.read.audit.listByOrganization(organizationId, { limit: 50 });
    expect(audit.map((e) => [e.action, e.actorId, e.targetId, e.categories, e.requestId])).toEqual([
      ['settings.update', memberId, memberId, ['company_details'], 'req-7'],
    ]);
  });

  it("a write only ever touches the actor's own dashboard", async () => {
    const adminBefore = await dashboardState(uow, keyring, adminId);
    const { dashboardVersion: v } = await getOwnSettings(deps, { actorId: memberId });
    await putOwnCategory(deps, { actorId: memberId }, 'company_details', {
      value: COMPANY,
      dashboardVersion: v,
    });
    await putOwnCrmConnection(deps, { actorId: memberId }, 'hubspot', {
      secrets: { accessToken: MEMBER_HUBSPOT_TOKEN },
    });
    expect(await dashboardState(uow, keyring, adminId)).toEqual(adminBefore);
  });

  it('row-stored categories (pipeline stages) are written and read back through the same calls', async () => {
    const { dashboardVersion: v } = await getOwnSettings(deps, { actorId: memberId });
    const value = {
      stages: [{ internalId: 'stage.new', name: 'New', order: 0, probability: 20 }],
      salesforceRecordTypes: [],
    };
    const written = await putOwnCategory(deps, { actorId: memberId }, 'pipeline_stages', {
      value,
      dashboardVersion: v,
    });
    expect(written.value).toEqual({
      stages: [
        {
          internalId: 'stage.new',
          name: 'New',
          order: 0,
          probability: 20,
          crmStageMappings: {},
          synced: false,
        },
      ],
      salesforceRecordTypes: [],
    });
  });

  it('a stale dashboardVersion is version_conflict and changes nothing; after a reload the write goes through', async () => {
    const read = await getOwnSettings(deps, { actorId: memberId });
    // Another tab writes in between.
    await putOwnCategory(deps, { actorId: memberId }, 'alternate_domains', {
      value: { domains: ['other-tab.example'] },
      dashboardVersion: read.dashboardVersion,
    });
    const before = await dashboardState(uow, keyring, memberId);
    const error = await refusalOf(
      putOwnCategory(deps, { actorId: memberId }, 'company_details', {
        value: COMPANY,
        dashboardVersion: read.dashboardVersion,
      }),
    );
    expect(error.code).toBe('version_conflict');
    expect(error.message).toMatch(
      /^Your settings were changed elsewhere \(.+\); reload and try again\.$/,
    );
    expect(await dashboardState(uow, keyring, memberId)).toEqual(before);
    const reloaded = await getOwnSettings(deps, { actorId: memberId });
    await expect(
      putOwnCategory(deps, { actorId: memberId }, 'company_details', {
        value: COMPANY,
        dashboardVersion: reloaded.dashboardVersion,
      }),
    ).resolves.toMatchObject({ value: { companyName: 'Member Co' } });
  });

  it('two writes from the same version: exactly one wins, the other is version_conflict', async () => {
    const { dashboardVersion: v } = await getOwnSettings(deps, { actorId: memberId });
    const results = await Promise.allSettled([
      putOwnCategory(deps, { actorId: memberId }, 'company_details', {
        value: COMPANY,
        dashboardVersion: v,
      }),
      putOwnCategory(deps, { actorId: memberId }, 'task_settings', {
        value: { defaultDueOffsetDays: 1 },
        dashboardVersion: v,
      }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0]?.reason as AppError).code).toBe('version_conflict');
    expect(await dashboardVersion(memberId)).toBe(v + 1);
  });

  it('an invalid value is invalid_request with a readable message, and changes nothing', async () => {
    const before = await dashboardState(uow, keyring, memberId);
    const v = await dashboardVersion(memberId);
    const error = await refusalOf(
      putOwnCategory(deps, { actorId: memberId }, 'task_settings', {
        value: { defaultDueOffsetDays: 1000, surprise: true },
        dashboardVersion: v,
      }),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.message).toBe(
      'Default due date must be 365 days or fewer. Task settings has an unknown field "surprise".',
    );
    expect(error.details).toEqual({
      category: 'task_settings',
      errors: [
        { path: 'defaultDueOffsetDays', message: 'Default due date must be 365 days or fewer' },
        { path: '', message: 'Task settings has an unknown field "surprise"' },
      ],
    });
    await expectRefused(
      putOwnCategory(deps, { actorId: memberId }, 'task_settings', {
        value: { defaultDueOffsetDays: 1 },
        dashboardVersion: 'one' as unknown as number,
      }),
      'invalid_request',
    );
    expect(await dashboardState(uow, keyring, memberId)).toEqual(before);
    expect(await dashboardVersion(memberId)).toBe(v);
    // positive control
    await expect(
      putOwnCategory(deps, { actorId: memberId }, 'task_settings', {
        value: { defaultDueOffsetDays: 1 },
        dashboardVersion: v,
      }),
    ).resolves.toMatchObject({ value: { defaultDueOffsetDays: 1 } });
  });

  it('an admin edits their own dashboard through the same calls', async () => {
    const { dashboardVersion: v } = await getOwnSettings(deps, { actorId: adminId });
    await expect(
      putOwnCategory(deps, { actorId: adminId }, 'partnership_domains', {
        value: { domains: ['New-Partner.example', 'new-partner.example'] },
        dashboardVersion: v,
      }),
    ).resolves.toMatchObject({ value: { domains: ['new-partner.example'] } });
  });
});

describe('your own CRM connections (SPEC §7)', () => {
  it('are listed masked: at most the last 4 characters, never the secret', async () => {
    const connections = await listOwnCrmConnections(deps, { actorId: memberId });
    expect(connections).toEqual([
      {
        crm: 'pipedrive',
        maskedKey: '••••6789',
        via: 'key',
        status: 'connected',
        statusDetail: null,
        checkedAt: null,
        instance: {},
        updatedAt: expect.any(Date) as unknown,
      },
    ]);
    expectNoSecrets(connections);
  });

  it('saving a connection seals it and returns only the masked view; versions are bumped and the save audited', async () => {
    const versionBefore = await dashboardVersion(memberId);
    const saved = await putOwnCrmConnection(deps, { actorId: memberId }, 'hubspot', {
      secrets: { accessToken: MEMBER_HUBSPOT_TOKEN },
      instance: { portalId: '123456' },
    });
    expect(saved).toMatchObject({
      crm: 'hubspot',
      maskedKey: `••••${MEMBER_HUBSPOT_TOKEN.slice(-4)}`,
      instance: { portalId: '123456' },
    });
    expect(saved.maskedKey.replace('••••', '').length).toBeLessThanOrEqual(4);
    expectNoSecrets(saved);
    expectNoSecrets(await listOwnCrmConnections(deps, { actorId: memberId }));
    expectNoSecrets(await getOwnSettings(deps, { actorId: memberId }));
    // Stored sealed, and opens to what was sent.
    expect(await readCrmCredentials(uow.read, keyring, memberId)).toContainEqual({
      crm: 'hubspot',
      secrets: { accessToken: MEMBER_HUBSPOT_TOKEN },
      instance: { portalId: '123456' },
    });
    const raw = await database.db
      .selectFrom('crm_connections')
      .select(['ciphertext', 'secret_hint'])
      .where('user_id', '=', memberId)
      .where('crm', '=', 'hubspot')
      .executeTakeFirstOrThrow();
    expect(Buffer.from(raw.ciphertext ?? []).toString('utf8')).not.toContain(MEMBER_HUBSPOT_TOKEN);
    expect(raw.secret_hint).toBe(MEMBER_HUBSPOT_TOKEN.slice(-4));
    expect(await dashboardVersion(memberId)).toBe(versionBefore + 1);
    const audit = await uow.read.audit.listByOrganization(organizationId, { limit: 50 });
    expect(audit.map((e) => [e.action, e.categories, e.details])).toEqual([
      ['crm_connection.save', ['crm_keys'], { crm: 'hubspot' }],
    ]);
    expectNoSecrets(audit);
  });

  it('a short key shows no characters at all in its masked view', async () => {
    const saved = await putOwnCrmConnection(deps, { actorId: memberId }, 'attio', {
      secrets: { accessToken: 'short-key' },
    });
    expect(saved.maskedKey).toBe('••••');
  });

  it('an unknown CRM or a malformed body is invalid_request, names no secret, and changes nothing', async () => {
    const before = await dashboardState(uow, keyring, memberId);
    const cases: [string, unknown][] = [
      ['myspace', { secrets: { accessToken: MEMBER_HUBSPOT_TOKEN } }],
      ['hubspot', { secrets: {} }],
      ['hubspot', { secrets: { apiToken: MEMBER_HUBSPOT_TOKEN } }],
      ['hubspot', { secrets: { accessToken: 'tiny' } }],
      ['hubspot', { secrets: { accessToken: MEMBER_HUBSPOT_TOKEN }, extra: MEMBER_HUBSPOT_TOKEN }],
      ['salesforce', { secrets: { accessToken: MEMBER_HUBSPOT_TOKEN } }],
      ['hubspot', { crm: 'zoho', secrets: { accessToken: MEMBER_HUBSPOT_TOKEN } }],
      ['hubspot', null],
      ['hubspot', [MEMBER_HUBSPOT_TOKEN]],
    ];
    for (const [crm, body] of cases) {
      const error = await refusalOf(putOwnCrmConnection(deps, { actorId: memberId }, crm, body));
      expect(error.code, `${crm} ${JSON.stringify(body)}`).toBe('invalid_request');
      expectNoSecrets({ message: error.message, details: error.details });
    }
    expect(await dashboardState(uow, keyring, memberId)).toEqual(before);
    // positive control
    await expect(
      putOwnCrmConnection(deps, { actorId: memberId }, 'salesforce', {
        secrets: { accessToken: MEMBER_HUBSPOT_TOKEN },
        instance: { instanceUrl: 'https://member.my.salesforce.com' },
      }),
    ).resolves.toMatchObject({ crm: 'salesforce' });
  });

  it('deleting a connection removes it; deleting an absent one is not_found', async () => {
    await expectRefused(
      deleteOwnCrmConnection(deps, { actorId: memberId }, 'hubspot'),
      'not_found',
    );
    await expectRefused(
      deleteOwnCrmConnection(deps, { actorId: memberId }, 'myspace'),
      'invalid_request',
    );
    await expect(
      deleteOwnCrmConnection(deps, { actorId: memberId }, 'pipedrive'),
    ).resolves.toBeUndefined();
    expect(await listOwnCrmConnections(deps, { actorId: memberId })).toEqual([]);
    await expectRefused(
      deleteOwnCrmConnection(deps, { actorId: memberId }, 'pipedrive'),
      'not_found',
    );
  });

  it('removing the last connection keeps CRM keys "set" and bumps its version (undo compares versions)', async () => {
    const stateOf = async () =>
      (await uow.read.dashboards.categoryStates(memberId)).find((s) => s.category === 'crm_keys');
    const before = await stateOf();
    const versionBefore = await dashboardVersion(memberId);
    await deleteOwnCrmConnection(deps, { actorId: memberId }, 'pipedrive');
    expect((await stateOf())?.version).toBe((before?.version ?? 0) + 1);
    expect(await dashboardVersion(memberId)).toBe(versionBefore + 1);
    const audit = await uow.read.audit.listByOrganization(organizationId, { limit: 50 });
    expect(audit.map((e) => [e.action, e.details])).toEqual([
      ['crm_connection.delete', { crm: 'pipedrive' }],
    ]);
  });
});
