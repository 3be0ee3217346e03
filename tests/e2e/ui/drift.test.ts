import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
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
 * Drift (SPEC §6) in real Chromium, on the demo data: the member table says per row whether the
 * member's dashboard differs from yours, the drift panel shows what differs item by item, the
 * Sync Settings to User modal marks each category, and a sync brings the member back in sync.
 * admin@acme.test (Marcus Reed) has set all ten categories; Priya Natarajan (rep1) differs in
 * all ten, Ethan Walker (pending) has no dashboard.
 */

if (!hasChromium) console.log('UI tests skipped: Chromium not found at /usr/bin/chromium');

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

const NO_CHANGES = 'No changes: this member already has these settings.';

const FIELD_TEAM = 'Field Sales';
const FIELD_SIZE = 30;

describe.skipIf(!hasChromium)('Drift from your settings', () => {
  let server: UiServer;
  let browser: UiBrowser;

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startUiServer();
    // A team of more than one page (25 rows): 30 provisioned reps without dashboards yet.
    const uow = createUnitOfWork(server.database.db);
    await uow.transaction(async (repos) => {
      const acme = await repos.organizations.findByName('Acme');
      if (!acme) throw new Error('demo organization Acme missing');
      const [team] = await repos.teams.insertMany(acme.id, [FIELD_TEAM]);
      if (!team) throw new Error('team not created');
      const users = await repos.users.insertMany(
        Array.from({ length: FIELD_SIZE }, (_, i) => ({
          organization_id: acme.id,
          email: `field${String(i + 1).padStart(2, '0')}@acme.test`,
          name: `Field Rep ${String(i + 1).padStart(2, '0')}`,
          role: 'member' as const,
          status: 'invited' as const,
          password_hash: null,
        })),
      );
      await repos.teams.addMembers(
        acme.id,
        users.map((u) => ({ teamId: team.id, userId: u.id })),
      );
    });
    browser = await launchBrowser();
    await browser.page.setViewportSize({ width: 1280, height: 800 });
  }, 120_000);

  afterAll(async () => {
    const opened: ({ close(): Promise<void> } | undefined)[] = [browser, server];
    for (const resource of opened) await resource?.close();
  });

  function row(page: Page, email: string): Locator {
    return page.getByRole('table').getByRole('row').filter({ hasText: email });
  }

  async function openTeam(page: Page, team: string): Promise<void> {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin', exact: true })
      .click();
    await page.getByLabel('Team').selectOption({ label: team });
    await visible(page.getByRole('cell', { name: 'rep1@acme.test' }));
  }

  /** A category's box in the Sync Settings to User modal. */
  function categoryBox(dialog: Locator, page: Page, label: string): Locator {
    return dialog
      .locator('.check')
      .filter({ has: page.getByRole('checkbox', { name: label, exact: true }) });
  }

  it('the member table badges each row, naming the differing categories on hover and on focus', async () => {
    const { page } = browser;
    await logIn(page, server.baseUrl, 'admin@acme.test');
    await openTeam(page, 'Sales East');
    await visible(page.getByRole('columnheader', { name: 'Drift from you' }));

    const badge = row(page, 'rep1@acme.test').getByRole('button', {
      name: '10 categories differ',
    });
    await visible(badge);
    // No dashboard, or your own row: no badge.
    await visible(row(page, 'pending@acme.test').getByText('Needs setup'));
    expect(await row(page, 'pending@acme.test').locator('.drift-badge').count()).toBe(0);
    expect(await row(page, 'admin@acme.test').locator('.drift-badge').count()).toBe(0);
    await screenshot(page, 'drift-member-table');

    // Hover: a tooltip names the differing categories.
    const tooltip = page.getByRole('tooltip');
    await badge.hover();
    await visible(tooltip);
    const text = (await tooltip.textContent()) ?? '';
    expect(text).toMatch(/^Differs from your settings:/);
    for (const label of CATEGORY_LABELS) expect(text).toContain(label);
    await screenshot(page, 'drift-member-table-tooltip');
    await page.mouse.move(5, 5);
    await hidden(tooltip);

    // Keyboard focus shows it too, and it is the badge's accessible description.
    await badge.focus();
    await visible(tooltip);
    expect(await badge.getAttribute('aria-describedby')).toBe(await tooltip.getAttribute('id'));
    await page.keyboard.press('Escape');
    await hidden(tooltip);
  }, 90_000);

  it('the drift panel lists what differs, item by item (CRM keys as masked fingerprints)', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Actions for Priya Natarajan' }).click();
    await page.getByRole('menuitem', { name: 'View drift' }).click();
    const panel = page.getByRole('dialog', {
      name: 'Drift from your settings — Priya Natarajan',
    });
    await visible(panel.getByText('10 categories differ from your settings'));
    await screenshot(page, 'drift-panel');

    // Company details: the description changes from Priya's to yours.
    const company = panel.getByRole('region', { name: 'Company details' });
    await visible(company.getByText('Differs', { exact: true }));
    const description = company.getByRole('listitem').filter({ hasText: 'Description' });
    await visible(description.getByText('Changed', { exact: true }));
    await visible(description.locator('.change-before').getByText(/Priya Natarajan covers/));
    await visible(description.locator('.change-after').getByText(/Our reps sell to plant/));

    // Task settings: a value in words, before → after.
    const tasks = panel.getByRole('region', { name: 'Task settings' });
    const priority = tasks.getByRole('listitem').filter({ hasText: 'Default priority' });
    expect((await priority.textContent())?.replace(/\s+/g, ' ')).toContain('Low → becomes High');

    // CRM keys: only a masked fingerprint, never a key.
    const crm = panel.getByRole('region', { name: 'CRM keys' });
    const hubspot = crm.getByRole('listitem').filter({ hasText: 'HubSpot' });
    await visible(hubspot.getByText('Added', { exact: true }));
    expect(await hubspot.locator('code').textContent()).toMatch(/^fp:[A-Za-z0-9_-]+$/);
    expect(await page.content()).not.toContain('demo-admin-hubspot-access');

    // Custom properties: a changed picklist shows its options before → after.
    const properties = panel.getByRole('region', { name: 'Custom properties' });
    const dealSource = properties.getByRole('listitem').filter({ hasText: 'Deal source' });
    await visible(dealSource.locator('.change-after').getByText(/Partner referral, Event/));
    await panel.getByRole('heading', { name: 'Company details' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'drift-panel-company-details');

    await panel.getByRole('button', { name: 'Close', exact: true }).first().click();
    await hidden(panel);
  }, 60_000);

  it('the Sync Settings modal marks each category; a sync of them all makes the row "In sync"', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Actions for Priya Natarajan' }).click();
    await page.getByRole('menuitem', { name: 'Sync Settings to User' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sync Settings to User' });
    await visible(
      dialog.getByText('Compared with your settings: 10 categories differ on Priya’s dashboard.'),
    );
    // The guide's default selection is untouched: all but Email templates.
    expect(await dialog.locator('.check-label').allTextContents()).toEqual(CATEGORY_LABELS);
    for (const label of CATEGORY_LABELS) {
      const box = categoryBox(dialog, page, label);
      await visible(box.getByText('Differs', { exact: true }));
      expect(await box.getByRole('checkbox', { name: label, exact: true }).isChecked(), label).toBe(
        label !== 'Email templates',
      );
    }
    await screenshot(page, 'drift-sync-modal-marks');

    // The preview shows the items behind the counts, one category at a time.
    await dialog.getByRole('button', { name: 'Preview changes' }).click();
    const preview = dialog.getByRole('region', { name: 'Preview: what would change' });
    await visible(preview.getByText('Nothing has been changed yet.', { exact: false }));
    const companyRow = preview
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: /Company details/ }) });
    const show = companyRow.getByRole('button', { name: 'Show 2 changes' });
    expect(await show.getAttribute('aria-expanded')).toBe('false');
    await show.click();
    const items = preview.getByRole('list', {
      name: 'Company details: what differs, item by item',
    });
    await visible(items.getByRole('listitem').filter({ hasText: 'Description' }));
    await visible(items.getByRole('listitem').filter({ hasText: 'Competitors' }));
    expect(
      await companyRow.getByRole('button', { name: 'Hide changes' }).getAttribute('aria-expanded'),
    ).toBe('true');
    await items.scrollIntoViewIfNeeded();
    await screenshot(page, 'drift-preview-changes');

    // Every category, Email templates included, so nothing is left to differ.
    await dialog.getByRole('button', { name: 'Select all' }).click();
    await dialog.getByRole('button', { name: 'Sync Settings', exact: true }).click();
    await visible(dialog.getByText('Settings synced to Priya Natarajan'), 30_000);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await hidden(dialog);
    await visible(row(page, 'rep1@acme.test').getByRole('button', { name: 'In sync' }));
  }, 90_000);

  it('"Out of sync only" hides the rows in sync', async () => {
    const { page } = browser;
    const filter = page.getByRole('checkbox', { name: 'Out of sync only' });
    await filter.check();
    await hidden(row(page, 'rep1@acme.test'));
    // No dashboard, or your own row: not out of sync either.
    await hidden(row(page, 'pending@acme.test'));
    await hidden(row(page, 'admin@acme.test'));
    await visible(row(page, 'rep2@acme.test').getByRole('button', { name: /categories differ$/ }));
    const bodyRows = page.getByRole('table').locator('tbody tr');
    const count = await bodyRows.count();
    expect(count).toBeGreaterThan(0);
    for (let i = 0; i < count; i += 1) {
      expect(await bodyRows.nth(i).locator('.drift-badge').textContent()).toMatch(/differs?$/);
    }
    await visible(page.getByText(`Showing ${count} of 9 members`));
    await screenshot(page, 'drift-filter-out-of-sync');
    await filter.uncheck();
    await visible(row(page, 'rep1@acme.test'));
  }, 60_000);

  it('a change on My settings makes the member differ; the next sync brings them back in sync', async () => {
    const { page } = browser;
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'My settings' })
      .click();
    await page
      .getByRole('navigation', { name: 'My settings' })
      .getByRole('link', { name: 'Company details' })
      .click();
    await visible(page.getByRole('heading', { name: 'Company details', level: 1 }));
    const industry = page.getByLabel('Industry', { exact: true });
    const before = await industry.inputValue();
    await industry.fill('Industrial IoT software');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('status').getByText('Company details saved'));

    // Right away, the member differs in that one category.
    await openTeam(page, 'Sales East');
    const badge = row(page, 'rep1@acme.test').getByRole('button', { name: '1 category differs' });
    await visible(badge);
    await badge.hover();
    await screenshot(page, 'drift-member-table-mixed');
    expect(await page.getByRole('tooltip').textContent()).toBe(
      'Differs from your settings: Company details',
    );
    await page.mouse.move(5, 5);

    // The badge opens the drift panel too: the one item that differs.
    await badge.click();
    // A click puts the tooltip away: it must not sit on top of the panel.
    expect(await page.locator('.tooltip:not([hidden])').count()).toBe(0);
    const panel = page.getByRole('dialog', {
      name: 'Drift from your settings — Priya Natarajan',
    });
    const company = panel.getByRole('region', { name: 'Company details' });
    const changed = company.getByRole('listitem').filter({ hasText: 'Industry' });
    await visible(changed.locator('.change-after').getByText('Industrial IoT software'));
    expect(await changed.locator('.change-before').textContent()).toBe(before || '(empty)');
    await visible(panel.getByRole('region', { name: 'Task settings' }).getByText('In sync'));
    await panel.getByRole('button', { name: 'Sync Settings to User' }).click();

    // …straight into the modal, marked: Company details differs, the rest are in sync.
    const dialog = page.getByRole('dialog', { name: 'Sync Settings to User' });
    await visible(
      categoryBox(dialog, page, 'Company details').getByText('Differs', { exact: true }),
    );
    for (const label of CATEGORY_LABELS.filter((l) => l !== 'Company details')) {
      await visible(categoryBox(dialog, page, label).getByText('In sync', { exact: true }));
    }
    await dialog.getByRole('button', { name: 'Sync Settings', exact: true }).click();
    await visible(dialog.getByText('Settings synced to Priya Natarajan'), 30_000);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await visible(row(page, 'rep1@acme.test').getByRole('button', { name: 'In sync' }));

    // Once more: nothing is left to change, and the preview and the sync say so.
    await page.getByRole('button', { name: 'Actions for Priya Natarajan' }).click();
    await page.getByRole('menuitem', { name: 'Sync Settings to User' }).click();
    await visible(
      dialog.getByText('Priya already has your settings in every category you have set.'),
    );
    await dialog.getByRole('button', { name: 'Preview changes' }).click();
    const noChanges = dialog
      .getByRole('region', { name: 'Preview: what would change' })
      .getByText(NO_CHANGES);
    await visible(noChanges);
    await noChanges.scrollIntoViewIfNeeded();
    await screenshot(page, 'drift-preview-no-changes');
    await dialog.getByRole('button', { name: 'Sync Settings', exact: true }).click();
    await visible(dialog.getByText(NO_CHANGES), 30_000);
    await dialog.getByRole('button', { name: 'View sync history' }).click();
    await visible(page.getByRole('heading', { name: 'Sync history: Priya Natarajan' }));
    const latest = page.getByRole('table').locator('tbody tr').first();
    await visible(latest.getByText('No changes', { exact: true }));
    // A sync that changed nothing has nothing to revert.
    expect(await latest.getByRole('button', { name: 'Revert' }).count()).toBe(0);
    await screenshot(page, 'drift-history-no-changes');
  }, 120_000);

  it('on a team of several pages, the filter says it covers this page only', async () => {
    const { page } = browser;
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin', exact: true })
      .click();
    await page.getByLabel('Team').selectOption({ label: FIELD_TEAM });
    await visible(page.getByRole('cell', { name: 'field01@acme.test' }));
    const filter = page.getByRole('checkbox', { name: 'Out of sync only' });
    const scope = page.getByText('(on this page)', { exact: true });
    await visible(scope);
    expect(await filter.getAttribute('aria-describedby')).toBe(await scope.getAttribute('id'));
    // Reps without a dashboard have no badge and are never "out of sync".
    expect(await page.getByRole('table').locator('.drift-badge').count()).toBe(0);
    await filter.check();
    await visible(page.getByText('No one on this page differs from your settings.'));
    await visible(
      page.getByText('Other pages may still have members out of sync.', { exact: false }),
    );
    await screenshot(page, 'drift-filter-paged-empty');
    await filter.uncheck();

    // A 1024 px window: the extra column scrolls inside the table, never the page.
    await page.setViewportSize({ width: 1024, height: 768 });
    await openTeam(page, 'Sales East');
    await visible(row(page, 'rep2@acme.test').getByRole('button', { name: /categories differ$/ }));
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'drift-member-table-1024');
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 60_000);

  it('marks the categories you never set as "Not set by you"', async () => {
    const { page } = browser;
    // admin@globex.test has set only some categories (no custom properties, no CRM keys).
    await logOut(page);
    await logIn(page, server.baseUrl, 'admin@globex.test');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin', exact: true })
      .click();
    await page.getByLabel('Team').selectOption({ label: 'Sales' });
    await page.getByRole('button', { name: 'Actions for Frank Grimes' }).click();
    await page.getByRole('menuitem', { name: 'Sync Settings to User' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sync Settings to User' });
    await visible(
      categoryBox(dialog, page, 'Company details').getByText('Differs', { exact: true }),
    );
    for (const label of ['Custom properties', 'CRM keys', 'Email templates']) {
      await visible(categoryBox(dialog, page, label).getByText('Not set by you'));
    }
    // The default selection is still the guide's, whatever the marks say.
    for (const label of CATEGORY_LABELS) {
      expect(
        await dialog.getByRole('checkbox', { name: label, exact: true }).isChecked(),
        label,
      ).toBe(label !== 'Email templates');
    }
    await screenshot(page, 'drift-sync-modal-not-set');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await hidden(dialog);
  }, 60_000);
});
