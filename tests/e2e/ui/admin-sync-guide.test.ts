import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureWebBuild,
  hasChromium,
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
 * The product guide (shared/product/admin-sync-guide.txt), step by step, in real Chromium, on
 * the demo data, with the guide's own words as the locators.
 */

const CATEGORY_LABELS = [
  'Custom properties',
  'Pipeline stages',
  'Company details',
  'Meeting titles',
  'Alternate domains',
  'Partnership domains',
  'Task settings',
  'CRM keys',
  'Email templates',
  'Advanced settings',
];

const ADMIN_DESCRIPTION =
  'Acme Corporation builds Acme Cloud, an industrial IoT platform for mid-market manufacturers (200–2,000 employees). Our reps sell to plant managers and VPs of operations in North America.';

if (!hasChromium) console.log('UI tests skipped: Chromium not found at /usr/bin/chromium');

describe.skipIf(!hasChromium)('Admin console: the sync guide, end to end', () => {
  let server: UiServer;
  let browser: UiBrowser;

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startUiServer();
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    // Either may be missing when beforeAll failed half-way.
    const opened: ({ close(): Promise<void> } | undefined)[] = [browser, server];
    for (const resource of opened) await resource?.close();
  });

  it('admin@acme.test runs Sync CRM then Sync Settings to User; the member sees the admin values', async () => {
    const { page } = browser;
    // Slow the CRMs a little so the progress state is there to be seen.
    server.emulators.servers.hubspot.setFaults({ latencyMs: 400 });

    await logIn(page, server.baseUrl, 'admin@acme.test');

    // "Open Admin and choose the team."
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin', exact: true })
      .click();
    await visible(page.getByRole('heading', { name: 'Admin', level: 1 }));
    await page.getByLabel('Team').selectOption({ label: 'Sales East' });
    await visible(page.getByRole('cell', { name: 'rep1@acme.test' }));
    await screenshot(page, 'admin-member-table');

    // "The Admin member table exposes sync actions for secondary admins and members, not the
    // primary-admin row."
    const ownerRow = page.getByRole('row').filter({ hasText: 'owner@acme.test' });
    await visible(ownerRow);
    expect(await ownerRow.getByRole('button', { name: /^Actions for/ }).count()).toBe(0);
    await visible(
      page.getByRole('row').filter({ hasText: 'pending@acme.test' }).getByText('Needs setup'),
    );

    // "Open the member's action menu." "Select Sync CRM."
    await page.getByRole('button', { name: 'Actions for Priya Natarajan' }).click();
    await visible(page.getByRole('menuitem', { name: 'Sync Settings to User' }));
    await screenshot(page, 'admin-action-menu');
    await page.getByRole('menuitem', { name: 'Sync CRM' }).click();

    // Priya has a Pipedrive key of her own: Sync CRM names it and asks first (issue 14).
    const crmDialog = page.getByRole('dialog', { name: 'Sync CRM' });
    await visible(crmDialog.getByText('Replaces Priya’s Pipedrive key', { exact: true }));
    await crmDialog.getByRole('button', { name: 'Replace keys and Sync CRM' }).click();

    // "Wait for the sync to finish."
    await visible(crmDialog.getByText('Wait for the sync to finish.'));
    await screenshot(page, 'sync-crm-progress');
    await visible(crmDialog.getByText('Sync finished'), 30_000);
    server.emulators.servers.hubspot.resetFaults();
    await screenshot(page, 'sync-crm-result');

    // The result per CRM: keys copied from the organization admin, then the owner properties.
    await visible(crmDialog.getByText(/^Copied CRM keys for .+ from the organization admin\.$/));
    for (const crm of ['HubSpot', 'Salesforce', 'Zoho', 'Attio', 'Pipedrive']) {
      const row = crmDialog
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader', { name: crm }) });
      await visible(row.getByText('Keys copied'));
    }
    const hubspotRow = crmDialog
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'HubSpot' }) });
    expect(await hubspotRow.textContent()).toMatch(
      /Owner property created|Option added|Already present/,
    );
    await crmDialog.getByRole('button', { name: 'Done' }).click();
    await visible(
      page.getByRole('row').filter({ hasText: 'rep1@acme.test' }).getByText('Sync CRM'),
    );

    // "Open the member's action menu." "Select Sync Settings to User."
    await page.getByRole('button', { name: 'Actions for Priya Natarajan' }).click();
    await page.getByRole('menuitem', { name: 'Sync Settings to User' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sync Settings to User' });
    await visible(dialog.getByRole('checkbox', { name: 'Custom properties', exact: true }));
    await visible(dialog.getByText('from your dashboard', { exact: false }));
    await visible(dialog.getByText(/overwrite or replace Priya’s existing configuration/));

    // "Choose the settings categories to copy": the guide's ten, all but Email templates checked.
    expect(await dialog.locator('.check-label').allTextContents()).toEqual(CATEGORY_LABELS);
    expect(await dialog.getByRole('checkbox').count()).toBe(CATEGORY_LABELS.length);
    for (const label of CATEGORY_LABELS) {
      const box = dialog.getByRole('checkbox', { name: label, exact: true });
      expect(await box.isChecked(), label).toBe(label !== 'Email templates');
    }
    await visible(
      dialog.getByText(
        "Replaces your member's custom properties; their owner properties are kept.",
      ),
    );
    await screenshot(page, 'sync-settings-modal');

    // "Select Sync Settings."
    await dialog.getByRole('button', { name: 'Sync Settings', exact: true }).click();
    await visible(dialog.getByText('Settings synced to Priya Natarajan'), 30_000);
    await screenshot(page, 'sync-settings-result');
    const companyRow = dialog
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: /Company details/ }) });
    expect(await companyRow.textContent()).toMatch(/updated/);
    await visible(
      dialog.getByText('Email templates were not copied: they are off by default in this modal.'),
    );
    await dialog.getByRole('button', { name: 'Done' }).click();

    // The member logs in and finds the admin's values in their settings pages…
    await logOut(page);
    await logIn(page, server.baseUrl, 'rep1@acme.test');
    expect(
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Admin', exact: true })
        .count(),
    ).toBe(0);
    const settingsNav = page.getByRole('navigation', { name: 'My settings' });
    await settingsNav.getByRole('link', { name: 'Company details' }).click();
    await visible(page.getByRole('heading', { name: 'Company details', level: 1 }));
    expect(await page.getByLabel('Description').inputValue()).toBe(ADMIN_DESCRIPTION);
    expect(await page.getByLabel('Competitors').inputValue()).toBe(
      'Initech\nUmbrella Systems\nHooli Industrial',
    );
    await screenshot(page, 'member-company-details');

    await settingsNav.getByRole('link', { name: 'Task settings' }).click();
    await visible(page.getByRole('heading', { name: 'Task settings', level: 1 }));
    expect(await page.getByLabel('CRM task queue').inputValue()).toBe('Sales follow-ups');
    expect(await page.getByLabel('Default priority').inputValue()).toBe('high');
    expect(await page.getByLabel('Default due date (days)').inputValue()).toBe('3');

    await settingsNav.getByRole('link', { name: 'Alternate domains' }).click();
    await visible(page.getByRole('heading', { name: 'Alternate domains', level: 1 }));
    expect(await page.getByLabel('Domains', { exact: true }).inputValue()).toBe(
      'acme.example\nacmecorp.test\nacme-labs.test',
    );

    // …and their own email templates unchanged ("Email templates are not selected by default").
    await settingsNav.getByRole('link', { name: 'Email templates' }).click();
    await visible(page.getByRole('heading', { name: 'Email templates', level: 1 }));
    // The list editor shows each template's fields as inputs (issue 14 §5).
    await visible(page.getByRole('button', { name: 'Add template' }));
    const fieldValues = await page.evaluate<string[]>(
      "Array.from(document.querySelectorAll('main input, main textarea')).map((e) => e.value)",
    );
    expect(fieldValues.some((v) => /^Priya[’']s follow-up$/.test(v))).toBe(true);
    expect(fieldValues.some((v) => v.includes('Post-meeting follow-up'))).toBe(false);
    expect(await page.getByText('Post-meeting follow-up').count()).toBe(0);
    await screenshot(page, 'member-email-templates');

    // CRM keys: Sync CRM copied the organization admin's keys, then Sync Settings copied the
    // acting admin's HubSpot key; keys are shown masked (last 4 characters).
    await settingsNav.getByRole('link', { name: 'CRM connections' }).click();
    const hubspot = page.getByRole('region', { name: 'HubSpot' });
    await visible(hubspot.getByText('Connected'));
    expect(await hubspot.locator('.masked-key').textContent()).toBe('••••0002');
    const salesforce = page.getByRole('region', { name: 'Salesforce' });
    expect(await salesforce.locator('.masked-key').textContent()).toBe('••••0001');
    expect(await page.content()).not.toContain('demo-admin-hubspot-access');
    await screenshot(page, 'member-crm-connections');
  }, 120_000);
});
