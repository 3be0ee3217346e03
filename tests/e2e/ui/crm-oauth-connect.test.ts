import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureWebBuild,
  hasChromium,
  hidden,
  launchBrowser,
  logIn,
  logOut,
  screenshot,
  startUiServer,
  UI_OAUTH_CLIENT,
  visible,
  type UiBrowser,
  type UiServer,
} from '#tests/e2e/ui/support/ui-harness.ts';
import { SalesforceEmulator } from '#emulators/salesforce.emulator.ts';

/**
 * "Connect <CRM>" in Chromium (issue 12): My settings → CRM connections → Connect Salesforce /
 * Connect Zoho → the emulator's consent page → back in Ergo, connected by OAuth; Test connection;
 * Deny; a revoked grant shown as "Reconnect needed" to the member and in the admin's member table.
 */

if (!hasChromium) console.log('UI tests skipped: Chromium not found at /usr/bin/chromium');

const MEMBER = 'rep3@acme.test';

describe.skipIf(!hasChromium)('Connect a CRM with OAuth', () => {
  let server: UiServer;
  let browser: UiBrowser;

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startUiServer({ oauth: ['salesforce', 'zoho'] });
    // Start from a member with neither CRM connected.
    const memberId = server.ids[MEMBER];
    if (!memberId) throw new Error(`${MEMBER} is not in the demo data`);
    await server.database.db
      .deleteFrom('crm_connections')
      .where('user_id', '=', memberId)
      .where('crm', 'in', ['salesforce', 'zoho'])
      .execute();
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    const opened: ({ close(): Promise<void> } | undefined)[] = [browser, server];
    for (const resource of opened) await resource?.close();
  });

  async function openConnections() {
    const { page } = browser;
    await page.goto(`${server.baseUrl}/settings/crm-connections`);
    await visible(page.getByRole('region', { name: 'Salesforce' }));
  }

  it('connects Salesforce through its My Domain sign-in and consent page, then tests the connection', async () => {
    const { page } = browser;
    await logIn(page, server.baseUrl, MEMBER);
    await openConnections();
    const salesforce = page.getByRole('region', { name: 'Salesforce' });
    await visible(salesforce.getByText('Not connected', { exact: true }));
    // HubSpot has no OAuth client on this server: paste-in only, and the row says so.
    await visible(
      page
        .getByRole('region', { name: 'HubSpot' })
        .getByText('Connect with HubSpot is not set up on this server', { exact: false }),
    );

    await salesforce.getByRole('button', { name: 'Connect Salesforce' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect Salesforce' });
    await dialog.getByLabel('My Domain', { exact: true }).check();
    await dialog.getByRole('textbox', { name: 'My Domain' }).fill('acme.example.com');
    await dialog.getByRole('button', { name: 'Continue to Salesforce' }).click();
    await visible(dialog.getByText('Enter your My Domain, e.g. acme.my.salesforce.com'));
    await dialog.getByRole('textbox', { name: 'My Domain' }).fill('acme.my.salesforce.com');
    await screenshot(page, 'oauth-salesforce-connect');
    await dialog.getByRole('button', { name: 'Continue to Salesforce' }).click();

    // The emulator's consent page (the vendor's, in production).
    await visible(page.getByRole('heading', { name: 'Allow Ergo to access Salesforce?' }));
    expect(new URL(page.url()).pathname).toBe('/services/oauth2/authorize');
    expect(new URL(page.url()).searchParams.get('code_challenge')).toBeTruthy();
    await screenshot(page, 'oauth-salesforce-consent');
    await page.getByRole('button', { name: 'Allow' }).click();

    await visible(page.getByText('Salesforce connected. Ergo renews its access for you.'));
    expect(new URL(page.url()).search).toBe('');
    await visible(salesforce.getByText('Connected', { exact: true }));
    await visible(salesforce.getByText('Signed in with OAuth', { exact: false }));
    expect(await page.content()).not.toContain(UI_OAUTH_CLIENT.clientSecret);

    await salesforce.getByRole('button', { name: 'Test connection' }).click();
    const outcome = salesforce.getByRole('status', { name: 'Connection test' });
    await visible(outcome.getByText('Salesforce accepted the connection.', { exact: false }));
    await visible(outcome.getByText(/Account: .+ as .+/));
    await screenshot(page, 'oauth-salesforce-connected');
  }, 90_000);

  it('Deny on the Zoho consent page connects nothing and says so; Allow then connects Zoho in its data centre', async () => {
    const { page } = browser;
    await openConnections();
    const zoho = page.getByRole('region', { name: 'Zoho' });
    await zoho.getByRole('button', { name: 'Connect Zoho' }).click();
    let dialog = page.getByRole('dialog', { name: 'Connect Zoho' });
    await dialog.getByLabel('Zoho data centre').selectOption('eu');
    await dialog.getByRole('button', { name: 'Continue to Zoho' }).click();
    await visible(page.getByRole('heading', { name: /Allow Ergo to access Zoho/ }));
    await page.getByRole('button', { name: 'Deny' }).click();
    await visible(
      page
        .getByRole('alert')
        .getByText('You did not allow Ergo to access Zoho, so nothing was connected.'),
    );
    await visible(zoho.getByText('Not connected', { exact: true }));

    await zoho.getByRole('button', { name: 'Connect Zoho' }).click();
    dialog = page.getByRole('dialog', { name: 'Connect Zoho' });
    await dialog.getByLabel('Zoho data centre').selectOption('eu');
    await dialog.getByRole('button', { name: 'Continue to Zoho' }).click();
    await visible(page.getByRole('heading', { name: /Allow Ergo to access Zoho/ }));
    await page.getByRole('button', { name: 'Allow' }).click();
    await visible(page.getByText('Zoho connected. Ergo renews its access for you.'));
    await visible(zoho.getByText('Connected', { exact: true }));

    // The grant knows where to renew the token: the accounts server the callback named.
    const grant = await server.database.db
      .selectFrom('crm_grants')
      .select(['instance', 'access_expires_at'])
      .where('crm', '=', 'zoho')
      .executeTakeFirstOrThrow();
    expect(grant.instance).toMatchObject({
      accountsServer: server.emulators.urls.zoho,
      apiDomain: server.emulators.urls.zoho,
    });
    expect(grant.access_expires_at?.getTime()).toBeGreaterThan(Date.now());
  }, 90_000);

  it('a revoked grant shows "Reconnect needed" to the member and to admins in the member table', async () => {
    const { page } = browser;
    const salesforce = server.emulators.servers.salesforce;
    if (!(salesforce instanceof SalesforceEmulator)) throw new Error('not the Salesforce emulator');
    salesforce.oauth.revokeAll();
    salesforce.oauth.expireAccessTokens();
    await openConnections();
    const row = page.getByRole('region', { name: 'Salesforce' });
    await row.getByRole('button', { name: 'Test connection' }).click();
    await visible(row.getByText('Reconnect needed', { exact: true }));
    await visible(row.getByRole('button', { name: 'Reconnect' }));
    await screenshot(page, 'oauth-reconnect-needed');

    await logOut(page);
    await logIn(page, server.baseUrl, 'owner@acme.test');
    await page.goto(`${server.baseUrl}/admin`);
    await page.getByLabel('Team').selectOption({ label: 'Sales East' });
    const member = page.getByRole('row').filter({ hasText: MEMBER });
    await visible(member);
    await visible(member.getByText('Salesforce: reconnect needed'));
    await hidden(member.getByText('Zoho: reconnect needed'));
    await screenshot(page, 'oauth-member-table');
  }, 90_000);
});
