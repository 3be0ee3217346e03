import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, request } from '#tests/support/test-app.ts';
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
 * The audit log in the console (issue 15 §5): an admin sees the organization's entries, filters
 * them (kept in the URL), opens an entry's detail, exports what the filter shows, and verifies
 * the chain ("Intact through entry N") with the head shown to anchor elsewhere.
 */

if (!hasChromium) console.log('UI tests skipped: Chromium not found at /usr/bin/chromium');

describe.skipIf(!hasChromium)('Audit log page', () => {
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

  it('lists, filters, shows an entry, exports and verifies', async () => {
    // One preview and one sync by the admin, so the log has entries of two actions.
    const admin = await loginAs(server.app, 'admin@acme.test');
    const members = await request(server.app, admin, 'GET', '/api/members?q=rep2&limit=5');
    const rep = members.json<{ items: { id: string; email: string }[] }>().items[0];
    expect(rep).toBeDefined();
    const url = `/api/members/${rep?.id ?? ''}/sync-settings`;
    const body = { categories: ['company_details'] };
    expect(
      (await request(server.app, admin, 'POST', url, { ...body, dryRun: true })).statusCode,
    ).toBe(200);
    expect((await request(server.app, admin, 'POST', url, body)).statusCode).toBe(200);

    const { page } = browser;
    await logIn(page, server.baseUrl, 'admin@acme.test');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Audit log' })
      .click();
    await visible(page.getByRole('heading', { name: 'Audit log', level: 1 }));
    const table = page.getByRole('table', { name: /Audit log entries/ });
    await visible(table.getByText('sync_settings', { exact: true }).first());
    await visible(table.getByText('sync_settings.preview', { exact: true }).first());

    await page.getByLabel('Action').fill('sync_settings.preview');
    await page.waitForURL(/action=sync_settings.preview/);
    await expect
      .poll(async () => table.getByText('sync_settings', { exact: true }).count())
      .toBe(0);
    await visible(table.getByText('sync_settings.preview', { exact: true }).first());
    // The filter is in the URL: a reload keeps it.
    await page.reload();
    await visible(table.getByText('sync_settings.preview', { exact: true }).first());
    expect(await page.getByLabel('Action').inputValue()).toBe('sync_settings.preview');

    await table
      .getByRole('button', { name: /^Details of entry/ })
      .first()
      .click();
    const dialog = page.getByRole('dialog', { name: /^Audit entry \d+/ });
    await visible(dialog.getByText('dry_run', { exact: true }));
    await visible(dialog.getByText('Previous hash'));
    await screenshot(page, 'audit-entry');
    await dialog.getByRole('button', { name: 'Done' }).click();

    const csvHref = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(csvHref).toContain('format=csv');
    expect(csvHref).toContain('action=sync_settings.preview');
    const csv = await page.evaluate(async (href) => (await fetch(href ?? '')).text(), csvHref);
    const rows = csv.split('\r\n').filter(Boolean);
    expect(rows[0]).toMatch(/^"seq","at","action"/);
    expect(rows.slice(1).length).toBeGreaterThan(0);
    expect(rows.slice(1).every((row) => row.includes('"sync_settings.preview"'))).toBe(true);

    await page.getByRole('button', { name: 'Verify chain' }).click();
    await visible(page.getByRole('status').getByText(/^Intact through entry \d+/));
    const head = await page.getByLabel(/^Chain head \(entry \d+\)$/).inputValue();
    expect(head).toMatch(/^\d+ [0-9a-f]{64}$/);
  });

  it('is for admins only: a member is told so', async () => {
    const { page } = browser;
    await logOut(page);
    await logIn(page, server.baseUrl, 'rep4@acme.test');
    await page.goto(`${server.baseUrl}/admin/audit`);
    await visible(page.getByText('This page is for admins.'));
  });
});
