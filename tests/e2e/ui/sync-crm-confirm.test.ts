import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRM_KEYS } from '#src/domain/crm.ts';
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
 * Issue 14, Sync CRM: it confirms before replacing a member's own CRM keys and runs at once when
 * it would replace none ("Select Sync CRM. Wait for the sync to finish."); an invited member is
 * refused before anything is sent; slow CRMs give a heading that says what happened, reasons in
 * words, a dialog that Escape closes, and a partial (amber) history entry with "Retry owner
 * properties".
 */

if (!hasChromium) console.log('UI tests skipped: Chromium not found at /usr/bin/chromium');

describe.skipIf(!hasChromium)('Sync CRM: confirm before overwriting, long CRM work', () => {
  let server: UiServer;
  let browser: UiBrowser;

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startUiServer();
    browser = await launchBrowser();
    await logIn(browser.page, server.baseUrl, 'admin@acme.test');
  }, 120_000);

  afterAll(async () => {
    const opened: ({ close(): Promise<void> } | undefined)[] = [browser, server];
    for (const resource of opened) await resource?.close();
  });

  const idOf = (email: string): string => server.ids[email] ?? '';

  async function syncRuns(email: string): Promise<{ status: string }[]> {
    return server.database.db
      .selectFrom('sync_runs')
      .select('status')
      .where('target_id', '=', idOf(email))
      .execute();
  }

  async function auditEntries(email: string): Promise<number> {
    const rows = await server.database.db
      .selectFrom('audit_log')
      .select('id')
      .where('target_id', '=', idOf(email))
      .where('action', 'like', 'sync_crm%')
      .execute();
    return rows.length;
  }

  async function selectSyncCrm(page: Page, name: string): Promise<void> {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin', exact: true })
      .click();
    await page.getByLabel('Team').selectOption({ label: 'Sales East' });
    await page.getByRole('button', { name: `Actions for ${name}` }).click();
    await page.getByRole('menuitem', { name: 'Sync CRM' }).click();
  }

  /** axe's serious and critical findings (issue 14 §7: none), within `include` when given. */
  async function axeFindings(page: Page, include?: string): Promise<string[]> {
    const builder = new AxeBuilder({ page }).options({ resultTypes: ['violations'] });
    const results = await (include ? builder.include(include) : builder).analyze();
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  function slowCrms(latencyMs: number): void {
    for (const crm of CRM_KEYS) server.emulators.servers[crm].setFaults({ latencyMs });
  }
  function fastCrms(): void {
    for (const crm of CRM_KEYS) server.emulators.servers[crm].resetFaults();
  }

  it("names the member's own keys it would replace and waits for a confirmation; Cancel changes nothing", async () => {
    const { page } = browser;
    // Priya has a Pipedrive connection of her own (demo data); the organization admin has five.
    await selectSyncCrm(page, 'Priya Natarajan');
    const dialog = page.getByRole('dialog', { name: 'Sync CRM' });
    await visible(dialog.getByText('Replaces Priya’s Pipedrive key', { exact: true }));
    await visible(dialog.getByText(/It also copies HubSpot, Salesforce, Zoho and Attio\./));
    await screenshot(page, 'sync-crm-confirm');
    expect(await axeFindings(page)).toEqual([]);
    expect(await dialog.textContent()).not.toMatch(/pd-demo|fp:/);
    expect(await syncRuns('rep1@acme.test')).toEqual([]);

    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await hidden(dialog);
    expect(await syncRuns('rep1@acme.test')).toEqual([]);

    await selectSyncCrm(page, 'Priya Natarajan');
    await dialog.getByRole('button', { name: 'Replace keys and Sync CRM' }).click();
    await visible(dialog.getByText('Sync finished', { exact: true }), 30_000);
    expect(await syncRuns('rep1@acme.test')).toEqual([{ status: 'applied' }]);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await hidden(dialog);
  }, 90_000);

  it('runs at once when nothing of the member’s would be replaced', async () => {
    const { page } = browser;
    // Priya's keys are the organization admin's now: nothing to confirm.
    await selectSyncCrm(page, 'Priya Natarajan');
    const dialog = page.getByRole('dialog', { name: 'Sync CRM' });
    await visible(dialog.getByText('Sync finished', { exact: true }), 30_000);
    expect(await dialog.getByRole('button', { name: 'Replace keys and Sync CRM' }).count()).toBe(0);
    expect(await syncRuns('rep1@acme.test')).toHaveLength(2);
    await page.keyboard.press('Escape');
    await hidden(dialog);
  }, 60_000);

  it('an invited member without a dashboard is refused up front: nothing is sent', async () => {
    const { page } = browser;
    await selectSyncCrm(page, 'Ethan Walker');
    const dialog = page.getByRole('dialog', { name: 'Sync CRM' });
    await visible(
      dialog.getByText("This user hasn't finished setup yet, so settings can't be pushed."),
    );
    await visible(dialog.getByText(/may need provisioning or setup completion/));
    expect(await syncRuns('pending@acme.test')).toEqual([]);
    expect(await auditEntries('pending@acme.test')).toBe(0);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await hidden(dialog);
  }, 60_000);

  it('slow CRMs: the heading says what happened, the reasons are in words, and history shows it partial', async () => {
    const { page } = browser;
    // Every attempt waits 2 s (the test retry policy) and the CRMs answer after 2.5 s.
    slowCrms(2_500);
    try {
      await selectSyncCrm(page, 'Daniel Okafor');
      const dialog = page.getByRole('dialog', { name: 'Sync CRM' });
      await visible(dialog.getByText('Wait for the sync to finish.'));
      const heading = dialog.getByText(
        'Keys copied; owner properties could not be checked for 5 CRMs',
        { exact: true },
      );
      await visible(heading, 45_000);
      expect(await dialog.getByText('Sync finished').count()).toBe(0);
      const hubspot = dialog
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader', { name: 'HubSpot' }) });
      await visible(
        hubspot.getByText('HubSpot did not answer within 2 seconds.', { exact: false }),
      );
      await screenshot(page, 'sync-crm-partial');
      expect(await axeFindings(page)).toEqual([]);
      expect(await syncRuns('rep2@acme.test')).toEqual([{ status: 'partial' }]);
      await dialog.getByRole('button', { name: 'Done' }).click();
      await hidden(dialog);
    } finally {
      fastCrms();
    }

    // The history: amber "Partial", the reasons, and "Retry owner properties".
    await page.getByRole('button', { name: 'Actions for Daniel Okafor' }).click();
    await page.getByRole('menuitem', { name: 'View sync history' }).click();
    const entry = page.getByRole('row').filter({ hasText: 'could not be checked for 5 of 5 CRMs' });
    await visible(entry.getByText('Partial', { exact: true }));
    expect(await entry.getByText('Applied', { exact: true }).count()).toBe(0);
    // Amber: the warning tone.
    expect(await entry.locator('.badge-warning', { hasText: 'Partial' }).count()).toBe(1);
    await visible(entry.getByText(/Zoho did not answer within 2 seconds\./));
    await screenshot(page, 'sync-history-partial');
    // The history table (the page around it is the history page's own).
    expect(await axeFindings(page, 'table')).toEqual([]);
    await entry.getByRole('button', { name: 'Retry owner properties for Daniel Okafor' }).click();
    await visible(entry.getByText('Retried: owner properties checked for 5 CRMs.'), 30_000);
    await visible(
      page
        .getByRole('row')
        .filter({ hasText: 'Sync CRM: owner properties' })
        .getByText('Applied', { exact: true }),
    );
    expect((await syncRuns('rep2@acme.test')).map((r) => r.status).sort()).toEqual([
      'applied',
      'partial',
    ]);
  }, 120_000);

  it('shows each CRM as it finishes while a slow one is still running', async () => {
    const { page } = browser;
    server.emulators.servers.hubspot.setFaults({ latencyMs: 2_500 });
    try {
      await selectSyncCrm(page, 'Hana Kobayashi');
      const dialog = page.getByRole('dialog', { name: 'Sync CRM' });
      await visible(
        dialog.getByText('Keys copied; checking owner properties (4 of 5 CRMs done)', {
          exact: true,
        }),
        20_000,
      );
      const row = (crm: string) =>
        dialog.getByRole('row').filter({ has: page.getByRole('rowheader', { name: crm }) });
      await visible(row('HubSpot').getByText('Checking…'));
      expect(await row('Zoho').getByText('Checking…').count()).toBe(0);
      await visible(dialog.getByText('Wait for the sync to finish.'));
      await screenshot(page, 'sync-crm-per-crm-progress');
      expect(await axeFindings(page)).toEqual([]);
      await visible(
        dialog.getByText('Keys copied; owner properties could not be checked for 1 CRM', {
          exact: true,
        }),
        30_000,
      );
      await visible(row('HubSpot').getByText(/HubSpot did not answer within 2 seconds\./));
      await dialog.getByRole('button', { name: 'Done' }).click();
      await hidden(dialog);
    } finally {
      fastCrms();
    }
  }, 90_000);

  it('Escape closes the dialog while a slow sync runs; the sync goes on and says how it ended', async () => {
    const { page } = browser;
    slowCrms(2_500);
    try {
      await selectSyncCrm(page, 'Sofia Marchetti');
      const dialog = page.getByRole('dialog', { name: 'Sync CRM' });
      await visible(dialog.getByText('Wait for the sync to finish.'));
      await page.keyboard.press('Escape');
      await hidden(dialog);
      const notifications = page.getByRole('region', { name: 'Notifications' });
      await visible(notifications.getByText('Sync CRM to Sofia Marchetti goes on'));
      await visible(
        notifications.getByText(
          'Sync CRM to Sofia Marchetti: Keys copied; owner properties could not be checked for 5 CRMs',
        ),
        45_000,
      );
      expect(await syncRuns('rep3@acme.test')).toEqual([{ status: 'partial' }]);
    } finally {
      fastCrms();
    }
  }, 90_000);
});
