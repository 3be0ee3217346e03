import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, request } from '#tests/support/test-app.ts';
import {
  ensureWebBuild,
  hasChromium,
  hidden,
  launchBrowser,
  logIn,
  logOut,
  screenshot,
  startUiServer,
  visible,
  type UiBrowser,
  type UiServer,
} from '#tests/e2e/ui/support/ui-harness.ts';

/**
 * Beyond the happy path of the guide: Preview writes nothing, Revert restores the member's
 * previous values (and a refused revert says why), and every error reads in plain language.
 */

if (!hasChromium) console.log('UI tests skipped: Chromium not found at /usr/bin/chromium');

interface OwnSettings {
  dashboardVersion: number;
  categories: { key: string; value: Record<string, unknown> }[];
}

describe.skipIf(!hasChromium)('Admin console: preview, history and revert, errors', () => {
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

  /** A member's own company description, read through the API as that member. */
  async function descriptionOf(email: string): Promise<unknown> {
    const agent = await loginAs(server.app, email);
    const settings = (
      await request(server.app, agent, 'GET', '/api/me/settings')
    ).json<OwnSettings>();
    return settings.categories.find((c) => c.key === 'company_details')?.value.description;
  }

  async function syncRunCount(targetEmail: string): Promise<number> {
    const rows = await server.database.db
      .selectFrom('sync_runs')
      .select('id')
      .where('target_id', '=', server.ids[targetEmail] ?? '')
      .execute();
    return rows.length;
  }

  async function openMember(page: Page, team: string, name: string, item: string): Promise<void> {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin', exact: true })
      .click();
    await page.getByLabel('Team').selectOption({ label: team });
    await page.getByRole('button', { name: `Actions for ${name}` }).click();
    await page.getByRole('menuitem', { name: item }).click();
  }

  it('Log in explains a failure, and shows the demo logins', async () => {
    const { page } = browser;
    await page.goto(`${server.baseUrl}/admin`);
    await visible(page.getByRole('heading', { name: 'Demo logins' }));
    await page.getByLabel('Email').fill('admin@acme.test');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await visible(page.getByRole('alert').getByText(/Email or password is incorrect/));
    await screenshot(page, 'login-failed');
  }, 60_000);

  it('Preview changes shows the diff and writes nothing; Revert restores the previous values', async () => {
    const { page } = browser;
    const before = await descriptionOf('rep2@acme.test');
    await logIn(page, server.baseUrl, 'admin@acme.test');
    await openMember(page, 'Sales East', 'Daniel Okafor', 'Sync Settings to User');
    const dialog = page.getByRole('dialog', { name: 'Sync Settings to User' });

    await dialog.getByRole('button', { name: 'Preview changes' }).click();
    const preview = dialog.getByRole('region', { name: 'Preview: what would change' });
    await visible(preview.getByText('Nothing has been changed yet.', { exact: false }));
    const companyRow = preview
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: /Company details/ }) });
    expect(await companyRow.textContent()).toMatch(/updated/);
    expect(await preview.getByRole('rowheader', { name: /Email templates/ }).count()).toBe(0);
    await screenshot(page, 'sync-settings-preview');
    // The preview wrote nothing: no history entry, the member's values as they were.
    expect(await syncRunCount('rep2@acme.test')).toBe(0);
    expect(await descriptionOf('rep2@acme.test')).toBe(before);

    await dialog.getByRole('button', { name: 'Sync Settings', exact: true }).click();
    await visible(dialog.getByText('Settings synced to Daniel Okafor'), 30_000);
    const after = await descriptionOf('rep2@acme.test');
    expect(after).not.toBe(before);

    // History for this member: who synced what, per-category counts, and Revert.
    await dialog.getByRole('button', { name: 'View sync history' }).click();
    await visible(page.getByRole('heading', { name: 'Sync history: Daniel Okafor' }));
    const row = page.getByRole('row').filter({ hasText: 'Sync Settings to User' });
    await visible(row.getByText('Marcus Reed'));
    expect(await row.textContent()).toMatch(/Company details\s*\d+ updated/);
    await screenshot(page, 'history-member');
    await row.getByRole('button', { name: 'Revert' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revert this sync?' });
    await visible(confirm.getByText(/go back to the values they had before this sync/));
    await screenshot(page, 'history-revert-confirm');
    await confirm.getByRole('button', { name: 'Revert sync' }).click();
    await hidden(confirm);
    await visible(page.getByRole('status').getByText('Sync reverted'));
    await visible(row.getByText('Reverted'));
    await visible(page.getByRole('row').filter({ hasText: /Restored/ }));
    expect(await descriptionOf('rep2@acme.test')).toBe(before);
    await screenshot(page, 'history-reverted');
  }, 120_000);

  it('a refused revert explains why', async () => {
    const { page } = browser;
    // An admin syncs to Sofia, then Sofia changes her company details herself.
    const admin = await loginAs(server.app, 'admin@acme.test');
    const synced = await request(
      server.app,
      admin,
      'POST',
      `/api/members/${server.ids['rep3@acme.test'] ?? ''}/sync-settings`,
      { categories: ['company_details', 'task_settings'] },
    );
    expect(synced.statusCode).toBe(200);
    const sofia = await loginAs(server.app, 'rep3@acme.test');
    const own = (await request(server.app, sofia, 'GET', '/api/me/settings')).json<OwnSettings>();
    const company = own.categories.find((c) => c.key === 'company_details')?.value ?? {};
    const edited = await request(server.app, sofia, 'PUT', '/api/me/settings/company_details', {
      value: { ...company, industry: 'Robotics' },
      dashboardVersion: own.dashboardVersion,
    });
    expect(edited.statusCode).toBe(200);

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Sync history' })
      .click();
    await visible(page.getByRole('heading', { name: 'Sync history', level: 1 }));
    const row = page.getByRole('row').filter({ hasText: 'Sofia Marchetti' });
    await visible(row.getByText('Sync Settings to User'));
    await screenshot(page, 'history-organization');
    await row.getByRole('button', { name: 'Revert' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revert this sync?' });
    await confirm.getByRole('button', { name: 'Revert sync' }).click();
    const alert = confirm.getByRole('alert');
    await visible(alert.getByText("This sync can't be reverted."));
    await visible(alert.getByText(/Company details changed since this sync/));
    // It names who changed it, and where.
    await visible(alert.getByText(/Company details by Sofia Marchetti in My settings/));
    await visible(
      alert.getByText(/adjust it manually, or repeat the sync with narrower categories/),
    );
    await screenshot(page, 'history-revert-refused');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    // Refused once, Revert stays off for that sync, saying why.
    const off = row.getByRole('button', { name: /^Can’t be reverted/ });
    await visible(off);
    expect(await off.isDisabled()).toBe(true);
    expect(await descriptionOf('rep3@acme.test')).not.toBeUndefined();
  }, 60_000);

  it('says in plain language when a member has no dashboard yet', async () => {
    const { page } = browser;
    // Sync CRM: said before anyone tries, as Sync Settings does (issue 14).
    await openMember(page, 'Sales East', 'Ethan Walker', 'Sync CRM');
    const crmDialog = page.getByRole('dialog', { name: 'Sync CRM' });
    await visible(
      crmDialog.getByText("This user hasn't finished setup yet, so settings can't be pushed."),
    );
    await visible(crmDialog.getByText(/may need provisioning or setup completion/));
    await screenshot(page, 'error-dashboard-missing');
    await crmDialog.getByRole('button', { name: 'Done' }).click();

    // Sync Settings to User: said before anyone tries, and the buttons are off.
    await page.getByRole('button', { name: 'Actions for Ethan Walker' }).click();
    await page.getByRole('menuitem', { name: 'Sync Settings to User' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sync Settings to User' });
    await visible(
      dialog.getByText("This user hasn't finished setup yet, so settings can't be pushed."),
    );
    expect(
      await dialog.getByRole('button', { name: 'Sync Settings', exact: true }).isDisabled(),
    ).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  }, 60_000);

  it('Sync CRM reports a CRM-side failure per CRM and retries the owner properties', async () => {
    const { page } = browser;
    server.emulators.servers.zoho.setFaults({ serverErrors: 1000 });
    try {
      await openMember(page, 'Sales East', "Liam O'Connor", 'Sync CRM');
      const dialog = page.getByRole('dialog', { name: 'Sync CRM' });
      await visible(
        dialog.getByText('Keys copied; owner properties could not be checked for 1 CRM'),
        30_000,
      );
      const zoho = dialog
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader', { name: 'Zoho' }) });
      await visible(zoho.getByText('Keys copied'));
      await visible(zoho.getByText(/failed/i));
      await screenshot(page, 'sync-crm-failure');
      server.emulators.servers.zoho.resetFaults();
      await dialog.getByRole('button', { name: 'Retry owner properties' }).click();
      await hidden(dialog.getByRole('button', { name: 'Retry owner properties' }), 30_000);
      expect(await zoho.textContent()).not.toMatch(/failed/i);
      await dialog.getByRole('button', { name: 'Done' }).click();
    } finally {
      server.emulators.servers.zoho.resetFaults();
    }
  }, 60_000);

  it('Sync CRM says "Nothing to copy" when the organization admin has no CRM keys', async () => {
    const { page } = browser;
    await logOut(page);
    await logIn(page, server.baseUrl, 'admin@globex.test');
    await openMember(page, 'Sales', 'Frank Grimes', 'Sync CRM');
    const dialog = page.getByRole('dialog', { name: 'Sync CRM' });
    await visible(dialog.getByText('Nothing to copy', { exact: true }), 30_000);
    await visible(
      dialog.getByText('Confirm the organization admin has the CRM connection you expected.', {
        exact: false,
      }),
    );
    await screenshot(page, 'sync-crm-nothing-to-copy');
    await dialog.getByRole('button', { name: 'Done' }).click();
  }, 60_000);

  it('stays usable in a 1024 px wide window', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${server.baseUrl}/admin`);
    await logOut(page);
    await logIn(page, server.baseUrl, 'owner@acme.test');
    await page.getByLabel('Team').selectOption({ label: 'Sales West' });
    await visible(page.getByRole('button', { name: 'Actions for Emily Zhang' }));
    // A string, because this file is type-checked without the DOM library.
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'admin-1024');
    await page.getByRole('button', { name: 'Actions for Emily Zhang' }).click();
    await page.getByRole('menuitem', { name: 'Sync Settings to User' }).click();
    await visible(page.getByRole('dialog', { name: 'Sync Settings to User' }));
    await screenshot(page, 'sync-settings-modal-1024');
    await page.keyboard.press('Escape');
    await hidden(page.getByRole('dialog', { name: 'Sync Settings to User' }));
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'My settings' })
      .click();
    await page
      .getByRole('navigation', { name: 'My settings' })
      .getByRole('link', { name: 'Pipeline stages' })
      .click();
    await visible(page.getByRole('heading', { name: 'Pipeline stages', level: 1 }));
    await screenshot(page, 'settings-pipeline-1024');
  }, 60_000);
});
