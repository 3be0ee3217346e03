import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureWebBuild,
  hasChromium,
  hidden,
  launchBrowser,
  logIn,
  screenshot,
  startUiServer,
  visible,
  type UiBrowser,
  type UiServer,
} from '#tests/e2e/ui/support/ui-harness.ts';

/**
 * My settings → API tokens (issue 15): create a token (name, access, expiry), shown once with a
 * copy field; it works as a Bearer token with the access chosen and no more; the list shows it
 * with its hint and last use, never the token; revoking it after confirmation stops it at once.
 */

if (!hasChromium) console.log('UI tests skipped: Chromium not found at /usr/bin/chromium');

describe.skipIf(!hasChromium)('My settings: API tokens', () => {
  let server: UiServer;
  let browser: UiBrowser;

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startUiServer();
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    const opened: ({ close(): Promise<void> } | undefined)[] = [browser, server];
    for (const resource of opened) await resource?.close();
  });

  const call = (token: string, method: string, path: string, body?: unknown) =>
    fetch(`${server.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('creates a read-only token shown once, which reads but cannot write, then revokes it', async () => {
    const { page } = browser;
    await logIn(page, server.baseUrl, 'admin@acme.test');
    const nav = page.getByRole('navigation', { name: 'My settings' });
    await page.goto(`${server.baseUrl}/settings`);
    await nav.getByRole('link', { name: 'API tokens' }).click();
    await visible(page.getByRole('heading', { name: 'API tokens', level: 1 }));
    await visible(page.getByText('No API tokens yet'));

    await page.getByRole('button', { name: 'Create API token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API token' });
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await visible(dialog.getByText('Give the token a name of 1 to 100 characters'));
    await dialog.getByLabel('Token name').fill('Reporting script');
    await dialog.getByRole('radio', { name: /Read only/ }).check();
    await dialog.getByLabel('Expires after').selectOption({ label: '7 days' });
    await dialog.getByRole('button', { name: 'Create token' }).click();

    const shown = page.getByRole('dialog', { name: 'API token created' });
    await visible(shown.getByText('it is shown only once'));
    const token = await shown.getByLabel('API token', { exact: true }).inputValue();
    expect(token).toMatch(/^ergo_pat_/);
    await screenshot(page, 'api-token-created');
    await shown.getByRole('button', { name: 'Done' }).click();

    const row = page.getByRole('row', { name: /Reporting script/ });
    await visible(row.getByText(`••••${token.slice(-4)}`));
    await visible(row.getByText('Read only'));
    expect(await page.content()).not.toContain(token);

    const read = await call(token, 'GET', '/api/teams');
    expect(read.status).toBe(200);
    const write = await call(token, 'POST', '/api/teams', { name: 'Made by a read token' });
    expect(write.status).toBe(403);
    expect(((await write.json()) as { code: string }).code).toBe('token_scope');

    await page.reload();
    await visible(page.getByRole('row', { name: /Reporting script/ }).getByText('just now'));

    await page.getByRole('button', { name: 'Revoke the API token Reporting script' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revoke Reporting script?' });
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await hidden(confirm);
    await visible(page.getByRole('row', { name: /Reporting script/ }).getByText('Revoked'));
    expect((await call(token, 'GET', '/api/teams')).status).toBe(401);
  });

  it('the same token dialogs serve SCIM tokens: create one for Okta (shown once, with the base URL), then revoke it', async () => {
    const { page } = browser;
    await page.goto(`${server.baseUrl}/admin/organization`);
    await page.getByRole('button', { name: 'Create SCIM token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create SCIM token' });
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await visible(dialog.getByText('Give the token a name of 1 to 100 characters, e.g. "Okta".'));
    await dialog.getByLabel('Token name').fill('Okta');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('dialog', { name: 'SCIM token created' });
    const token = await shown.getByLabel('SCIM token', { exact: true }).inputValue();
    expect(token).toMatch(/^ergo_scim_/);
    expect(await shown.getByLabel('SCIM base URL', { exact: true }).inputValue()).toBe(
      `${server.baseUrl}/scim/v2`,
    );
    await shown.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /Okta/ });
    await visible(row.getByText('Active'));
    await row.getByRole('button', { name: 'Revoke Okta' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revoke Okta?' });
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await hidden(confirm);
    await visible(page.getByRole('row', { name: /Okta/ }).getByText('Revoked'));
  });
});
