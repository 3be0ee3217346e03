import { randomBytes } from 'node:crypto';
import { createKeyring } from '#src/domain/secrets/secret-box.ts';
import { makeCrmConnection } from '#tests/factories/crm-connection.factory.ts';
import { makeAdminSettings, makeMemberSettings } from '#tests/factories/settings.factory.ts';

/**
 * The sync tests' constants, built by the factories (tests/factories/): one keyring per test
 * process, the admin's and member's dashboards of settings.factory.ts, and fixed CRM keys whose
 * values some tests look for in responses.
 */
export const keyring = createKeyring(randomBytes(32));

export const ADMIN_SETTINGS = makeAdminSettings();
export const MEMBER_SETTINGS = makeMemberSettings();

export const HUBSPOT_KEY = makeCrmConnection('hubspot', {
  secrets: { accessToken: 'pat-na1-admin-0000-1111-2222-333344445555' },
});
export const SALESFORCE_KEY = makeCrmConnection('salesforce', {
  secrets: { accessToken: '00Dadmin!sessiontoken-abcdefghijkl' },
});
export const MEMBER_PIPEDRIVE_KEY = makeCrmConnection('pipedrive', {
  secrets: { apiToken: 'member-pipedrive-token-0123456789' },
});
