import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, request } from '#tests/support/test-app.ts';
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
 * Members and teams in the console (issue 13), in real Chromium on the demo data: a member
 * removed from their last team is found under "No team"; a team is created, renamed and deleted;
 * a member is promoted to Admin through the confirmation; the pages fit a 390 px wide phone.
 */

if (!hasChromium) console.log('UI tests skipped: Chromium not found at /usr/bin/chromium');

describe.skipIf(!hasChromium)('Members and teams in the console', () => {
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

  /** Each test starts signed out (the previous one's session cookie dropped). */
  async function signIn(page: Page, email: string): Promise<void> {
    await page.context().clearCookies();
    await logIn(page, server.baseUrl, email);
  }

  async function openNav(page: Page, name: string): Promise<void> {
    await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
    await visible(page.getByRole('heading', { name, level: 1 }));
  }

  async function teamNamesOf(email: string): Promise<string[]> {
    const admin = await loginAs(server.app, 'admin@acme.test');
    const response = await request(server.app, admin, 'GET', '/api/members?limit=100');
    const rows = response.json<{ items: { email: string; teams: { name: string }[] }[] }>().items;
    return rows.find((r) => r.email === email)?.teams.map((t) => t.name) ?? ['(not listed)'];
  }

  it('removes a member from their last team (with the warning) and finds them under "No team"', async () => {
    const { page } = browser;
    await signIn(page, 'admin@acme.test');
    await openNav(page, 'All members');
    // The paging says how many members there are, and then how many the search finds.
    const admin = await loginAs(server.app, 'admin@acme.test');
    const everyone = (await request(server.app, admin, 'GET', '/api/members?limit=100')).json<{
      items: unknown[];
    }>();
    await visible(
      page
        .getByRole('navigation', { name: 'Member pages' })
        .getByText(`Page 1 of 1 · ${String(everyone.items.length)} members`),
    );
    await page.getByLabel('Search members').fill('Priya');
    const card = page.getByRole('listitem', { name: 'Priya Natarajan' });
    await visible(card);
    await visible(
      page.getByRole('navigation', { name: 'Member pages' }).getByText('Page 1 of 1 · 1 member'),
    );
    await card.getByRole('button', { name: 'Actions for Priya Natarajan' }).click();
    await page.getByRole('menuitem', { name: 'Remove from Sales East' }).click();
    const dialog = page.getByRole('alertdialog', {
      name: 'Remove Priya Natarajan from Sales East?',
    });
    await visible(
      dialog.getByText(/This is Priya Natarajan's last team\. They stay in your organization/),
    );
    await screenshot(page, 'all-members-last-team');
    await dialog.getByRole('button', { name: 'Remove from last team' }).click();
    await visible(
      page.getByRole('status').getByText('Priya Natarajan was removed from Sales East.'),
    );
    await hidden(dialog);
    expect(await teamNamesOf('rep1@acme.test')).toEqual([]);

    await page.getByLabel('Search members').fill('');
    await page.getByLabel('Filter by team').selectOption({ label: 'No team' });
    await visible(page.getByRole('listitem', { name: 'Priya Natarajan' }));
    await expect
      .poll(() => page.getByRole('list', { name: 'Members' }).getByRole('listitem').count())
      .toBeGreaterThan(0);
    // "Invite member" opens the invitation dialog.
    await page.getByRole('button', { name: 'Invite member' }).click();
    const invite = page.getByRole('dialog', { name: 'Invite member' });
    await visible(invite);
    await page.keyboard.press('Escape');
    await hidden(invite);
    // Someone still on a team is not under "No team".
    expect(await page.getByRole('listitem', { name: 'Daniel Okafor' }).count()).toBe(0);
    await screenshot(page, 'all-members-no-team');
  }, 90_000);

  it('creates, renames and deletes a team; deleting keeps its members', async () => {
    const { page } = browser;
    await signIn(page, 'admin@acme.test');
    await openNav(page, 'Teams');
    const teams = page.getByRole('region', { name: 'Teams' });

    await page.getByLabel('New team name').fill('Partners');
    await page.getByRole('button', { name: 'Create team' }).click();
    const partners = teams.getByRole('listitem', { name: 'Partners' });
    await visible(partners.getByText('0 members'));

    // A name in use is refused with the reason.
    await page.getByLabel('New team name').fill('sales east');
    await page.getByRole('button', { name: 'Create team' }).click();
    await visible(page.getByText(/A team with that name already exists\./));

    await partners.getByRole('button', { name: 'Rename Partners' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename Partners' });
    await rename.getByLabel('Team name').fill('Channel partners');
    await rename.getByRole('button', { name: 'Save name' }).click();
    await hidden(rename);
    const renamed = teams.getByRole('listitem', { name: 'Channel partners' });
    await visible(renamed);

    // Put someone on it, then delete it: they stay in the organization.
    const admin = await loginAs(server.app, 'admin@acme.test');
    const list = (await request(server.app, admin, 'GET', '/api/teams')).json<
      { id: string; name: string }[]
    >();
    const teamId = list.find((t) => t.name === 'Channel partners')?.id ?? '';
    const added = await request(
      server.app,
      admin,
      'POST',
      `/api/teams/${teamId}/members/${server.ids['rep7@acme.test'] ?? ''}`,
    );
    expect(added.statusCode).toBe(204);
    await page.reload();
    await visible(renamed.getByText('1 member'));

    await renamed.getByRole('button', { name: 'Delete Channel partners' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete Channel partners?' });
    await visible(confirm.getByText(/Members stay in the organization/));
    await screenshot(page, 'teams-delete');
    await confirm.getByRole('button', { name: 'Delete team' }).click();
    await hidden(confirm);
    await hidden(renamed);
    const after = (await request(server.app, admin, 'GET', '/api/teams')).json<
      { name: string }[]
    >();
    expect(after.map((t) => t.name)).not.toContain('Channel partners');
    expect(await teamNamesOf('rep7@acme.test')).toEqual(['Sales West']);
  }, 90_000);

  it('promotes a member to Admin only after the confirmation', async () => {
    const { page } = browser;
    await signIn(page, 'admin@acme.test');
    await openNav(page, 'All members');
    await page.getByLabel('Search members').fill('Noah');
    const card = page.getByRole('listitem', { name: 'Noah Fischer' });
    await visible(card.getByText('Member', { exact: true }));

    // Cancelling changes nothing.
    await card.getByRole('button', { name: 'Actions for Noah Fischer' }).click();
    await page.getByRole('menuitem', { name: 'Make admin' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Make Noah Fischer an admin?' });
    await visible(dialog);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await hidden(dialog);
    const admin = await loginAs(server.app, 'admin@acme.test');
    const roleOf = async () =>
      (await request(server.app, admin, 'GET', '/api/members?q=noah')).json<{
        items: { role: string }[];
      }>().items[0]?.role;
    expect(await roleOf()).toBe('member');

    await card.getByRole('button', { name: 'Actions for Noah Fischer' }).click();
    await page.getByRole('menuitem', { name: 'Make admin' }).click();
    await visible(dialog.getByText(/will be able to run Sync CRM and Sync Settings to User/));
    await screenshot(page, 'all-members-promote');
    await dialog.getByRole('button', { name: 'Make admin' }).click();
    await visible(page.getByRole('status').getByText('Noah Fischer is now an admin.'));
    await visible(card.getByText('Admin', { exact: true }));
    expect(await roleOf()).toBe('admin');
  }, 90_000);

  it('the three pages fit a 390 px wide screen (no sideways scroll)', async () => {
    const { page } = browser;
    await signIn(page, 'owner@acme.test');
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [path, heading] of [
        ['/admin/members', 'All members'],
        ['/admin/teams', 'Teams'],
        ['/admin/organization', 'Organization'],
      ] as const) {
        await page.goto(`${server.baseUrl}${path}`);
        await visible(page.getByRole('heading', { name: heading, level: 1 }));
        if (path === '/admin/members') await visible(page.getByRole('list', { name: 'Members' }));
        // What these pages own never overflows its column. (Measured on the page content, not
        // the document: the shell's top navigation is wider than a phone on every page, and the
        // Organization page's SCIM tokens section is the SCIM work's.)
        const selector =
          path === '/admin/organization' ? '[aria-labelledby="primary-admin-title"]' : '.page';
        const overflow = await page.evaluate<number>(
          `(() => { const e = document.querySelector('${selector}'); return e ? e.scrollWidth - e.clientWidth : -1; })()`,
        );
        expect(overflow, path).toBe(0);
        await screenshot(page, `phone-${heading.toLowerCase().replace(/\s+/g, '-')}`);
      }
      // The primary admin sees the transfer, and its confirmation names the person.
      await page.getByLabel('New primary admin').selectOption({ index: 1 });
      await page.getByRole('button', { name: 'Transfer primary admin role' }).click();
      const confirm = page.getByRole('alertdialog', { name: /^Make .+ the primary admin\?$/ });
      await visible(confirm);
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await hidden(confirm);
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  }, 90_000);
});
