import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { createInvitedUsers } from '#src/services/invitations/invitation.service.ts';
import { insertOrganization } from '#tests/factories/organization.factory.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * An identity provider's id (SCIM externalId) names one user per organization. The SCIM service
 * checks first; the unique index decides when two creates race past that check, and the loser
 * gets SCIM's 409 `uniqueness`, not a 500.
 */

let database: TestDatabase;
let uow: UnitOfWork;

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
});
afterAll(async () => {
  await database.close();
});

describe('SCIM externalId', () => {
  it('a second user with the same externalId in one organization is refused as uniqueness, and nothing is written', async () => {
    const { organizationId } = await insertOrganization(uow);
    const invite = (email: string) =>
      uow.transaction((repos) =>
        createInvitedUsers(repos, {
          organizationId,
          invitedBy: null,
          users: [
            {
              email,
              name: 'Okta person',
              role: 'member',
              teamIds: [],
              scimExternalId: 'okta-00u1',
            },
          ],
        }),
      );
    await invite('first.external@acme.test');
    await expect(invite('second.external@acme.test')).rejects.toMatchObject({
      code: 'invalid_request',
      details: { scimType: 'uniqueness' },
    });
    const second = await uow.read.users.findByEmail('second.external@acme.test');
    expect(second).toBeUndefined();
  });
});
