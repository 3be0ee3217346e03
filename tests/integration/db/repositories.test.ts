import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRepositories,
  createUnitOfWork,
  type UnitOfWork,
} from '#src/repositories/repositories.ts';
import { AppError } from '#src/domain/errors.ts';
import { defaultValueOf } from '#src/domain/settings/categories.ts';
import { readCategory, writeCategory } from '#src/services/settings/settings-store.ts';
import { insertOrganization, insertUser, makeUser } from '#tests/factories/organization.factory.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

let database: TestDatabase;
let uow: UnitOfWork;

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
});
afterAll(async () => {
  await database.close();
});

describe('transactions', () => {
  it('a transaction rolled back leaves nothing', async () => {
    const before = await database.db.selectFrom('organizations').select('id').execute();
    await expect(
      uow.transaction(async (repos) => {
        const org = await repos.organizations.create({ name: 'Rolled Back Inc' });
        await repos.users.insertMany([
          makeUser(org.id, { role: 'primary_admin', email: 'rb@example.test' }),
        ]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await database.db.selectFrom('organizations').select('id').execute()).toEqual(before);
    expect(await uow.read.users.findByEmail('rb@example.test')).toBeUndefined();
  });

  it('a failing statement inside a transaction rolls back the earlier statements', async () => {
    const { organizationId } = await insertOrganization(uow);
    const email = 'dup@example.test';
    await expect(
      uow.transaction(async (repos) => {
        await repos.teams.insertMany(organizationId, ['Should Vanish']);
        await repos.users.insertMany([
          makeUser(organizationId, { email }),
          makeUser(organizationId, { email }),
        ]);
      }),
    ).rejects.toThrow();
    expect(await uow.read.teams.listWithMemberCounts(organizationId)).toEqual([]);
  });

  it('queries outside a transaction do not see its uncommitted writes', async () => {
    const { organizationId } = await insertOrganization(uow);
    let seenInside = -1;
    let seenOutside = -1;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tx = uow.transaction(async (repos) => {
      await repos.teams.insertMany(organizationId, ['Pending Team']);
      seenInside = (await repos.teams.listWithMemberCounts(organizationId)).length;
      await gate;
    });
    // On PGlite this query waits for the transaction's lock; on PostgreSQL it runs at once and
    // must not see the uncommitted row. Either way it never observes a half-done transaction.
    const outside = uow.read.teams.listWithMemberCounts(organizationId).then((rows) => {
      seenOutside = rows.length;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await Promise.all([tx, outside]);
    expect(seenInside).toBe(1);
    expect([0, 1]).toContain(seenOutside);
    if (database.engine === 'postgres') expect(seenOutside).toBe(0);
    else expect(seenOutside).toBe(1);
  });
});

describe('organizations and users', () => {
  it('an organization must have exactly one primary admin', async () => {
    await expect(
      uow.transaction((repos) => repos.organizations.create({ name: 'No Admin' })),
    ).rejects.toThrow(/exactly one primary admin/);
    const { organizationId } = await insertOrganization(uow);
    await expect(
      uow.transaction((repos) =>
        repos.users.insertMany([makeUser(organizationId, { role: 'primary_admin' })]),
      ),
    ).rejects.toThrow(/users_one_primary_admin_key|duplicate key/);
  });

  it('user emails are unique regardless of case', async () => {
    const { organizationId } = await insertOrganization(uow);
    await uow.transaction((repos) =>
      insertUser(repos, organizationId, { email: 'Case@Example.test' }),
    );
    expect((await uow.read.users.findByEmail('CASE@example.TEST'))?.email).toBe(
      'case@example.test',
    );
    await expect(
      uow.transaction((repos) => insertUser(repos, organizationId, { email: 'case@example.test' })),
    ).rejects.toThrow(/users_email_key|duplicate key/);
  });

  it('a user can exist without a dashboard', async () => {
    const { organizationId } = await insertOrganization(uow);
    const user = await uow.transaction((repos) =>
      insertUser(repos, organizationId, { status: 'invited', dashboard: false }),
    );
    expect(await uow.read.users.findInOrganization(organizationId, user.id)).toMatchObject({
      status: 'invited',
    });
    expect(await uow.read.dashboards.find(user.id)).toBeUndefined();
  });

  it("another organization's user is not found by an organization-scoped lookup", async () => {
    const a = await insertOrganization(uow);
    const b = await insertOrganization(uow);
    expect(
      await uow.read.users.findInOrganization(a.organizationId, b.primaryAdmin.id),
    ).toBeUndefined();
    expect(
      await uow.read.users.findInOrganization(b.organizationId, b.primaryAdmin.id),
    ).toBeDefined();
  });

  it('a team cannot hold a member of another organization', async () => {
    const a = await insertOrganization(uow);
    const b = await insertOrganization(uow);
    const [team] = await uow.transaction((repos) =>
      repos.teams.insertMany(a.organizationId, ['East']),
    );
    await expect(
      uow.transaction((repos) =>
        repos.teams.addMembers(a.organizationId, [
          { teamId: team?.id ?? '', userId: b.primaryAdmin.id },
        ]),
      ),
    ).rejects.toThrow(/foreign key/);
  });

  it('a user can be on several teams of their organization', async () => {
    const { organizationId, primaryAdmin } = await insertOrganization(uow);
    await uow.transaction(async (repos) => {
      const teams = await repos.teams.insertMany(organizationId, ['East', 'West']);
      await repos.teams.addMembers(
        organizationId,
        teams.map((t) => ({ teamId: t.id, userId: primaryAdmin.id })),
      );
    });
    expect(await uow.read.teams.listWithMemberCounts(organizationId)).toEqual([
      expect.objectContaining({ name: 'East', memberCount: 1 }),
      expect.objectContaining({ name: 'West', memberCount: 1 }),
    ]);
  });
});

describe('dashboard settings', () => {
  it('an unset category reads as its default value and says it is not set', async () => {
    const { organizationId } = await insertOrganization(uow);
    const user = await uow.transaction((repos) => insertUser(repos, organizationId));
    const read = await readCategory(createRepositories(database.db), user.id, 'task_settings');
    expect(read).toEqual({ value: defaultValueOf('task_settings'), isSet: false, version: 0 });
  });

  it('each storage kind round-trips and bumps its version', async () => {
    const { organizationId } = await insertOrganization(uow);
    const user = await uow.transaction((repos) => insertUser(repos, organizationId));
    const pipeline = {
      stages: [
        {
          internalId: 'stage.discovery',
          name: 'Discovery',
          order: 0,
          probability: 10,
          crmStageMappings: { hubspot: 'appointmentscheduled' },
        },
        { internalId: 'stage.won', name: 'Closed won', order: 1, probability: 100 },
      ],
      salesforceRecordTypes: [
        {
          recordTypeId: '012000000000001AAA',
          name: 'New Business',
          developerName: 'New_Business',
          stageInternalIds: ['stage.discovery'],
        },
      ],
    };
    const properties = {
      properties: [
        {
          crm: 'hubspot',
          object: 'deal',
          name: 'assistant_owner',
          label: 'Assistant owner',
          type: 'enumeration',
          options: [{ label: 'Me', value: '41629779' }],
          ownerProperty: true,
        },
        {
          crm: 'salesforce',
          object: 'contact',
          name: 'Lead_Source__c',
          label: 'Lead source',
          type: 'string',
        },
      ],
    };
    const domains = { domains: ['Acme.io', 'acme.io', 'acme-corp.com'] };
    await uow.transaction(async (repos) => {
      await writeCategory(repos, user.id, 'pipeline_stages', pipeline);
      await writeCategory(repos, user.id, 'custom_properties', properties);
      await writeCategory(repos, user.id, 'alternate_domains', domains);
    });
    const repos = createRepositories(database.db);
    const readPipeline = await readCategory(repos, user.id, 'pipeline_stages');
    expect(readPipeline.isSet).toBe(true);
    expect(readPipeline.value.stages.map((s) => [s.internalId, s.crmStageMappings])).toEqual([
      ['stage.discovery', { hubspot: 'appointmentscheduled' }],
      ['stage.won', {}],
    ]);
    expect(readPipeline.value.salesforceRecordTypes[0]?.stageInternalIds).toEqual([
      'stage.discovery',
    ]);
    expect(
      (await readCategory(repos, user.id, 'custom_properties')).value.properties.map((p) => [
        p.name,
        p.ownerProperty,
      ]),
    ).toEqual([
      ['assistant_owner', true],
      ['Lead_Source__c', false],
    ]);
    expect((await readCategory(repos, user.id, 'alternate_domains')).value).toEqual({
      domains: ['acme.io', 'acme-corp.com'],
    });

    const before = (await repos.dashboards.find(user.id))?.version ?? 0;
    await uow.transaction((r) =>
      writeCategory(r, user.id, 'alternate_domains', { domains: ['acme.io'] }),
    );
    expect((await readCategory(repos, user.id, 'alternate_domains')).version).toBe(2);
    expect((await repos.dashboards.find(user.id))?.version).toBe(before + 1);
  });

  it('a malformed value is refused with a readable message and nothing is written', async () => {
    const { organizationId } = await insertOrganization(uow);
    const user = await uow.transaction((repos) => insertUser(repos, organizationId));
    const error = await uow
      .transaction((repos) =>
        writeCategory(repos, user.id, 'pipeline_stages', {
          stages: [{ internalId: 'x', name: 'X', order: 0, probability: 150 }],
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_request');
    expect((error as AppError).message).toBe('Probability of stage 1 must be between 0 and 100.');
    expect((error as AppError).details?.errors).toEqual([
      { path: 'stages.0.probability', message: 'Probability of stage 1 must be between 0 and 100' },
    ]);
    expect(await uow.read.dashboards.categoryStates(user.id)).toEqual([]);
  });
});
