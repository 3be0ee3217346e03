import { describe, expect, it } from 'vitest';
import { CRM_KEYS } from '#src/domain/crm.ts';
import {
  CATEGORY_SCHEMAS,
  formatZodError,
  parseCategoryValue,
  type CategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';
import { crmCredentialsSchema } from '#src/domain/settings/settings.schema.ts';
import {
  DEMO_CRM_ACCOUNTS,
  DEMO_CRM_INSTANCE,
  DEMO_ORGANIZATIONS,
  type DemoDashboard,
  type DemoOrganization,
  type DemoUser,
} from '#src/db/seed/demo-data.ts';

const VALUE_CATEGORY_KEYS = Object.keys(CATEGORY_SCHEMAS) as ValueCategoryKey[];

function organization(name: string): DemoOrganization {
  const found = DEMO_ORGANIZATIONS.find((org) => org.name === name);
  if (!found) throw new Error(`no demo organization ${name}`);
  return found;
}

function user(email: string): DemoUser {
  for (const org of DEMO_ORGANIZATIONS) {
    const found = org.users.find((u) => u.email === email);
    if (found) return found;
  }
  throw new Error(`no demo user ${email}`);
}

function dashboardOf(email: string): DemoDashboard {
  const { dashboard } = user(email);
  if (!dashboard) throw new Error(`${email} has no dashboard`);
  return dashboard;
}

/** The parsed (output) value of one category of a user's dashboard, failing loudly if invalid. */
function parsedSetting<K extends ValueCategoryKey>(email: string, key: K): CategoryValue<K> {
  const result = parseCategoryValue(key, dashboardOf(email).settings[key]);
  if (!result.ok) throw new Error(`${email} ${key}: ${result.message}`);
  return result.value;
}

const ACME_REP_EMAILS = organization('Acme')
  .users.filter((u) => /^rep\d+@acme\.test$/.test(u.email))
  .map((u) => u.email);

const dashboards = DEMO_ORGANIZATIONS.flatMap((org) =>
  org.users.flatMap((u) =>
    u.dashboard ? [{ org: org.name, email: u.email, dashboard: u.dashboard }] : [],
  ),
);

describe('demo data: settings', () => {
  it.each(dashboards)(
    'every category value of the dashboard of $email is accepted by its CATEGORY_SCHEMAS schema',
    ({ dashboard }) => {
      for (const key of VALUE_CATEGORY_KEYS) {
        if (!(key in dashboard.settings)) continue;
        const result = parseCategoryValue(key, dashboard.settings[key]);
        expect(result.ok, result.ok ? '' : result.message).toBe(true);
      }
    },
  );

  it('the owner, the admin and every Acme rep set all nine value categories', () => {
    for (const email of ['owner@acme.test', 'admin@acme.test', ...ACME_REP_EMAILS]) {
      expect(Object.keys(dashboardOf(email).settings).sort(), email).toEqual(
        [...VALUE_CATEGORY_KEYS].sort(),
      );
    }
  });

  it("the admin's and each rep's settings differ in every category", () => {
    expect(ACME_REP_EMAILS.length).toBeGreaterThanOrEqual(10);
    for (const rep of ACME_REP_EMAILS) {
      for (const key of VALUE_CATEGORY_KEYS) {
        expect(parsedSetting(rep, key), `${rep} ${key}`).not.toEqual(
          parsedSetting('admin@acme.test', key),
        );
      }
    }
  });

  it("the owner's, the admin's and all reps' settings are pairwise different in every category", () => {
    const emails = ['owner@acme.test', 'admin@acme.test', ...ACME_REP_EMAILS];
    for (const key of VALUE_CATEGORY_KEYS) {
      const serialized = emails.map((email) => JSON.stringify(parsedSetting(email, key)));
      expect(new Set(serialized).size, key).toBe(emails.length);
    }
  });

  it('each rep has a stage whose internalId the admin lacks, and shares some stages with the admin', () => {
    const adminIds = new Set(
      parsedSetting('admin@acme.test', 'pipeline_stages').stages.map((s) => s.internalId),
    );
    for (const rep of ACME_REP_EMAILS) {
      const repIds = parsedSetting(rep, 'pipeline_stages').stages.map((s) => s.internalId);
      expect(
        repIds.filter((id) => !adminIds.has(id)),
        rep,
      ).not.toHaveLength(0);
      expect(
        repIds.filter((id) => adminIds.has(id)),
        rep,
      ).not.toHaveLength(0);
    }
  });

  it('the owner, the admin and every rep have an owner property whose single option is a CRM owner id', () => {
    for (const email of ['owner@acme.test', 'admin@acme.test', ...ACME_REP_EMAILS]) {
      const { properties } = parsedSetting(email, 'custom_properties');
      const ownerProperties = properties.filter((p) => p.ownerProperty);
      expect(ownerProperties.length, email).toBeGreaterThan(0);
      for (const property of ownerProperties) {
        expect(property.type, email).toBe('enumeration');
        expect(property.options, email).toHaveLength(1);
      }
      // …and normal properties, which a Custom properties sync replaces.
      expect(
        properties.some((p) => !p.ownerProperty),
        email,
      ).toBe(true);
    }
  });

  it('the owner and the admin have Salesforce record types whose stages exist on their pipeline', () => {
    for (const email of ['owner@acme.test', 'admin@acme.test']) {
      const { stages, salesforceRecordTypes } = parsedSetting(email, 'pipeline_stages');
      expect(salesforceRecordTypes.length, email).toBeGreaterThan(0);
      const stageIds = new Set(stages.map((s) => s.internalId));
      for (const recordType of salesforceRecordTypes) {
        for (const id of recordType.stageInternalIds) {
          expect(stageIds.has(id), `${email} ${recordType.name} → ${id}`).toBe(true);
        }
      }
    }
  });

  it("the owner, the admin and every rep have email, Slack and CRM-note templates; reps' templates are their own", () => {
    const adminTemplates = parsedSetting('admin@acme.test', 'email_templates').templates;
    for (const email of ['owner@acme.test', 'admin@acme.test', ...ACME_REP_EMAILS]) {
      const { templates } = parsedSetting(email, 'email_templates');
      expect(new Set(templates.map((t) => t.kind)), email).toEqual(
        new Set(['email', 'slack', 'crm_note']),
      );
      if (email.startsWith('rep')) {
        for (const template of templates) {
          expect(adminTemplates, `${email} ${template.id}`).not.toContainEqual(template);
          expect(adminTemplates.map((t) => t.id)).not.toContain(template.id);
        }
      }
    }
  });

  it('the owner, the admin and every rep have context notifications configured', () => {
    for (const email of ['owner@acme.test', 'admin@acme.test', ...ACME_REP_EMAILS]) {
      const advanced = dashboardOf(email).settings.advanced_settings;
      expect(advanced?.contextNotifications, email).toBeDefined();
    }
  });
});

describe('demo data: CRM connections', () => {
  const connections = dashboards.flatMap(({ email, dashboard }) =>
    dashboard.crmConnections.map((connection) => ({ email, crm: connection.crm, connection })),
  );

  it.each(connections)(
    '$email $crm connection parses with crmCredentialsSchema',
    ({ connection }) => {
      const result = crmCredentialsSchema.safeParse(connection);
      expect(result.success, result.success ? '' : formatZodError(result.error)).toBe(true);
    },
  );

  it('every secret is at least 20 characters and no two connections share a secret', () => {
    const secrets = connections.flatMap(({ connection }) =>
      Object.values(connection.secrets).filter((secret) => typeof secret === 'string'),
    );
    for (const secret of secrets) expect(secret.length, secret).toBeGreaterThanOrEqual(20);
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('no dashboard has two connections to the same CRM', () => {
    for (const { email, dashboard } of dashboards) {
      const crms = dashboard.crmConnections.map((c) => c.crm);
      expect(new Set(crms).size, email).toBe(crms.length);
    }
  });

  it('the owner has all five CRMs, at vendor-shaped URLs (never a local port)', () => {
    const owner = dashboardOf('owner@acme.test').crmConnections;
    expect(owner.map((c) => c.crm).sort()).toEqual([...CRM_KEYS].sort());
    for (const connection of owner) {
      switch (connection.crm) {
        case 'salesforce':
          expect(connection.instance.instanceUrl).toBe(DEMO_CRM_INSTANCE.salesforceInstanceUrl);
          break;
        case 'zoho':
          expect(connection.instance.apiDomain).toBe(DEMO_CRM_INSTANCE.zohoApiDomain);
          break;
        case 'pipedrive':
          expect(connection.instance.apiDomain).toBe(DEMO_CRM_INSTANCE.pipedriveApiDomain);
          break;
        default:
          break;
      }
    }
  });

  it('the admin has HubSpot only, with a token different from the owner’s', () => {
    const admin = dashboardOf('admin@acme.test').crmConnections;
    const owner = dashboardOf('owner@acme.test').crmConnections;
    expect(admin.map((c) => c.crm)).toEqual(['hubspot']);
    expect(admin[0]?.secrets).not.toEqual(owner.find((c) => c.crm === 'hubspot')?.secrets);
  });

  it('reps have no CRM connections except rep1, who has Pipedrive', () => {
    for (const rep of ACME_REP_EMAILS) {
      const crms = dashboardOf(rep).crmConnections.map((c) => c.crm);
      expect(crms, rep).toEqual(rep === 'rep1@acme.test' ? ['pipedrive'] : []);
    }
  });

  it('no demo credential points at a local port', () => {
    for (const { connection } of connections) {
      for (const url of Object.values(connection.instance)) {
        if (typeof url === 'string' && url.includes('://')) {
          expect(new URL(url).protocol, url).toBe('https:');
        }
      }
    }
  });

  it("the emulators' accounts hold every demo key, each owned by a person the CRM knows", () => {
    for (const crm of CRM_KEYS) {
      const accounts = DEMO_CRM_ACCOUNTS[crm];
      const ids = new Set(accounts.people.map((p) => p.id));
      expect(new Set(ids).size, crm).toBe(accounts.people.length);
      for (const token of [...accounts.tokens, ...accounts.refreshTokens]) {
        expect(ids.has(accounts.tokenOwners[token] ?? ''), `${crm} ${token}`).toBe(true);
      }
    }
    const keys = connections.flatMap(({ connection }) => Object.values(connection.secrets));
    const accepted = CRM_KEYS.flatMap((crm) => [
      ...DEMO_CRM_ACCOUNTS[crm].tokens,
      ...DEMO_CRM_ACCOUNTS[crm].refreshTokens,
    ]);
    expect(new Set(accepted)).toEqual(new Set(keys));
  });

  it("the owner properties' options are the owners' ids the emulators are given", () => {
    const owner = DEMO_CRM_ACCOUNTS.hubspot.people.find((p) => p.email === 'owner@acme.test');
    expect(owner?.id).toBe('41629701');
    const properties = dashboardOf('owner@acme.test').settings.custom_properties?.properties ?? [];
    for (const crm of CRM_KEYS) {
      const property = properties.find((p) => p.crm === crm && p.ownerProperty);
      const id = DEMO_CRM_ACCOUNTS[crm].people.find((p) => p.email === 'owner@acme.test')?.id;
      expect(property?.options?.[0]?.value, crm).toBe(id);
    }
  });
});

describe('demo data: organizations', () => {
  it('has Acme and Globex', () => {
    expect(DEMO_ORGANIZATIONS.map((org) => org.name)).toEqual(['Acme', 'Globex']);
  });

  it.each(DEMO_ORGANIZATIONS)('$name has exactly one primary_admin', ({ users }) => {
    expect(users.filter((u) => u.role === 'primary_admin')).toHaveLength(1);
  });

  it('emails are unique across all organizations and lower-case', () => {
    const emails = DEMO_ORGANIZATIONS.flatMap((org) => org.users.map((u) => u.email));
    expect(new Set(emails).size).toBe(emails.length);
    for (const email of emails) expect(email).toBe(email.toLowerCase());
  });

  it.each(DEMO_ORGANIZATIONS)("$name users' teams are all teams of $name", ({ teams, users }) => {
    for (const u of users) {
      expect(u.teams.length, u.email).toBeGreaterThan(0);
      for (const team of u.teams) expect(teams, u.email).toContain(team);
    }
  });

  it('Acme has at least 10 active members across Sales East and Sales West, some on both', () => {
    const acme = organization('Acme');
    expect(acme.teams).toEqual(['Sales East', 'Sales West']);
    const members = acme.users.filter((u) => u.role === 'member' && u.status === 'active');
    expect(members.length).toBeGreaterThanOrEqual(10);
    expect(members.filter((u) => u.teams.includes('Sales East')).length).toBeGreaterThan(0);
    expect(members.filter((u) => u.teams.includes('Sales West')).length).toBeGreaterThan(0);
    expect(members.filter((u) => u.teams.length === 2).length).toBeGreaterThan(0);
    for (let n = 1; n <= 10; n += 1) expect(user(`rep${n}@acme.test`).role).toBe('member');
  });

  it('Acme: owner is the primary admin on Sales East, admin is a secondary admin on both teams', () => {
    expect(user('owner@acme.test')).toMatchObject({ role: 'primary_admin', teams: ['Sales East'] });
    expect(user('admin@acme.test')).toMatchObject({
      role: 'admin',
      teams: ['Sales East', 'Sales West'],
    });
  });

  it('pending@acme.test is an invited member on Sales East without a dashboard', () => {
    expect(user('pending@acme.test')).toMatchObject({
      role: 'member',
      status: 'invited',
      teams: ['Sales East'],
      dashboard: null,
    });
  });

  it('every other user has a dashboard', () => {
    const withoutDashboard = DEMO_ORGANIZATIONS.flatMap((org) => org.users)
      .filter((u) => u.dashboard === null)
      .map((u) => u.email);
    expect(withoutDashboard).toEqual(['pending@acme.test']);
  });

  it('Globex: admin@globex.test is the primary admin with settings and no CRM keys, plus rep1', () => {
    const globex = organization('Globex');
    expect(globex.teams).toEqual(['Sales']);
    expect(globex.users.map((u) => [u.email, u.role])).toEqual([
      ['admin@globex.test', 'primary_admin'],
      ['rep1@globex.test', 'member'],
    ]);
    const admin = dashboardOf('admin@globex.test');
    expect(Object.keys(admin.settings).length).toBeGreaterThan(0);
    expect(admin.crmConnections).toEqual([]);
  });
});
