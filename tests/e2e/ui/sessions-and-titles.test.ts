import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
import { readCategory } from '#src/services/settings/settings-store.ts';
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
 * Sessions and page state in Chromium (issue 14 §4, §8): a session that expires mid-use returns
 * to Log in with "Your session expired" and then to the same page; a deep link opened without a
 * session returns there after log-in; leaving a settings page with unsaved edits asks first;
 * each page has its own title; the Admin page keeps team, search and page in the address (with
 * the team's total); toasts never cover a row's action menu; an admin demoted while their page
 * was open is told so and lands on My settings with the header updated.
 */

if (!hasChromium) console.log('UI tests skipped: Chromium not found at /usr/bin/chromium');

const FIELD_TEAM = 'Field Sales';
const FIELD_SIZE = 30;
const EXPIRED = 'Your session expired. Log in again to continue.';

describe.skipIf(!hasChromium)('Sessions, titles and page state', () => {
  let server: UiServer;
  let browser: UiBrowser;
  let fieldTeamId = '';
  let eastTeamId = '';

  const url = (path: string) => `${server.baseUrl}${path}`;
  const pathOf = (page: Page) => {
    const current = new URL(page.url());
    return `${current.pathname}${current.search}`;
  };
  /** Ends every session of that user in the database, as an expiry would. */
  const expireSessions = async (email: string) => {
    const userId = server.ids[email];
    if (!userId) throw new Error(`no user ${email}`);
    await server.database.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  };
  const typeCredentials = async (page: Page, email: string) => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: 'Log in' }).click();
  };
  const waitForPath = async (page: Page, expected: string) => {
    await expect.poll(() => pathOf(page)).toBe(expected);
  };
  const waitForTitle = async (page: Page, expected: string) => {
    await expect.poll(() => page.title()).toBe(expected);
  };

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startUiServer();
    // A team of 30 provisioned reps: two pages of 25.
    const uow = createUnitOfWork(server.database.db);
    await uow.transaction(async (repos) => {
      const acme = await repos.organizations.findByName('Acme');
      if (!acme) throw new Error('demo organization Acme missing');
      const [team] = await repos.teams.insertMany(acme.id, [FIELD_TEAM]);
      if (!team) throw new Error('team not created');
      fieldTeamId = team.id;
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
    const east = await server.database.db
      .selectFrom('teams')
      .select('id')
      .where('name', '=', 'Sales East')
      .executeTakeFirstOrThrow();
    eastTeamId = east.id;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    const opened: ({ close(): Promise<void> } | undefined)[] = [browser, server];
    for (const resource of opened) await resource?.close();
  });

  it('a session that expires mid-use returns to Log in with the reason, then to the same page', async () => {
    const { page } = browser;
    await logIn(page, server.baseUrl, 'owner@acme.test');
    const deepLink = `/admin?team=${fieldTeamId}&q=Field+Rep`;
    await page.goto(url(deepLink));
    await visible(page.getByRole('cell', { name: 'field01@acme.test' }));
    expect(await page.getByLabel('Search members').inputValue()).toBe('Field Rep');

    await expireSessions('owner@acme.test');
    // Open a member's sync history from their row: /admin/history?member=…, whose calls now
    // answer 401. That page is the one to come back to.
    await page.getByRole('button', { name: 'Actions for Field Rep 02' }).click();
    await page.getByRole('menuitem', { name: 'View sync history' }).click();
    const login = page.getByRole('button', { name: 'Log in' });
    await visible(login);
    await visible(page.getByRole('status').getByText(EXPIRED));
    const loginUrl = new URL(page.url());
    expect(loginUrl.pathname).toBe('/login');
    expect(loginUrl.searchParams.get('expired')).toBe('1');
    const next = loginUrl.searchParams.get('next') ?? '';
    expect(next.startsWith('/admin/history?member=')).toBe(true);
    expect(await page.title()).toBe('Log in · Ergo');
    await screenshot(page, 'session-expired-login');

    await typeCredentials(page, 'owner@acme.test');
    await visible(page.getByRole('button', { name: 'Log out' }));
    await waitForPath(page, next);
    await visible(page.getByRole('heading', { name: /^Sync history/ }));
  }, 90_000);

  it('a session that expires on a page returns to that exact page, query string included', async () => {
    const { page } = browser;
    const deepLink = `/admin?team=${fieldTeamId}&q=Field+Rep`;
    await page.goto(url(deepLink));
    await visible(page.getByRole('cell', { name: 'field01@acme.test' }));

    await expireSessions('owner@acme.test');
    // Next page reads the team's second page: the API answers 401.
    await page.getByRole('button', { name: 'Next page' }).click();
    await visible(page.getByRole('status').getByText(EXPIRED));
    const next = new URL(page.url()).searchParams.get('next') ?? '';
    const wanted = new URL(next, server.baseUrl);
    expect(wanted.pathname).toBe('/admin');
    expect(wanted.searchParams.get('team')).toBe(fieldTeamId);
    expect(wanted.searchParams.get('q')).toBe('Field Rep');
    expect(wanted.searchParams.get('page')).toBe('2');

    await typeCredentials(page, 'owner@acme.test');
    await waitForPath(page, next);
    await visible(page.getByRole('cell', { name: 'field26@acme.test' }));
    expect(await page.getByLabel('Search members').inputValue()).toBe('Field Rep');
  }, 90_000);

  it('a deep link opened without a session returns there after log-in', async () => {
    const { page } = browser;
    await logOut(page);
    // Log out is no expiry: no message.
    expect(await page.getByText(EXPIRED).count()).toBe(0);
    const member = server.ids['rep1@acme.test'];
    if (!member) throw new Error('rep1 missing');
    const deepLink = `/admin/history?member=${member}`;
    await page.goto(url(deepLink));
    await visible(page.getByRole('button', { name: 'Log in' }));
    const loginUrl = new URL(page.url());
    expect(loginUrl.pathname).toBe('/login');
    expect(loginUrl.searchParams.get('next')).toBe(deepLink);
    // Nobody was signed in: nothing "expired".
    expect(await page.getByText(EXPIRED).count()).toBe(0);

    await typeCredentials(page, 'owner@acme.test');
    await visible(page.getByRole('button', { name: 'Log out' }));
    await waitForPath(page, deepLink);
    await visible(page.getByRole('heading', { name: /^Sync history/ }));
    expect(await page.title()).toBe('Sync history · Ergo');
  }, 90_000);

  it('gives each page its own title', async () => {
    const { page } = browser;
    const titles: [string, string, string][] = [
      ['/admin', 'Admin', 'Admin · Ergo'],
      ['/admin/members', 'All members', 'All members · Ergo'],
      ['/admin/teams', 'Teams', 'Teams · Ergo'],
      ['/admin/history', 'Sync history', 'Sync history · Ergo'],
      ['/admin/organization', 'Organization', 'Organization · Ergo'],
      ['/settings', 'My settings', 'My settings · Ergo'],
    ];
    await page.goto(url('/admin'));
    for (const [path, link, title] of titles) {
      // In-app navigation (the header's links) and a fresh load both set it.
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: link })
        .click();
      await waitForPath(page, path);
      await waitForTitle(page, title);
      await page.reload();
      await visible(page.getByRole('button', { name: 'Log out' }));
      await waitForTitle(page, title);
    }
    for (const [path, title] of [
      ['/settings/company-details', 'My settings — Company details · Ergo'],
      ['/settings/crm-connections', 'My settings — CRM connections · Ergo'],
      ['/settings/api-tokens', 'My settings — API tokens · Ergo'],
      ['/admin/history?name=Someone+Else', 'Sync history · Ergo'],
      ['/no-such-page', 'Page not found · Ergo'],
    ] as const) {
      await page.goto(url(path));
      await visible(page.getByRole('button', { name: 'Log out' }));
      await waitForTitle(page, title);
    }
  }, 90_000);

  it('keeps team, search and page in the address: reload and Back show the same page, with the total', async () => {
    const { page } = browser;
    await page.goto(url('/admin'));
    await page.getByLabel('Team').selectOption({ label: FIELD_TEAM });
    await visible(page.getByRole('cell', { name: 'field01@acme.test' }));
    expect(new URL(page.url()).searchParams.get('team')).toBe(fieldTeamId);
    const pager = page.getByRole('navigation', { name: 'Member pages' });
    // /api/teams gives the team's member count: with no search, it is the total.
    await visible(pager.getByText(`Page 1 of 2 · ${String(FIELD_SIZE)} members`));

    await page.getByRole('button', { name: 'Next page' }).click();
    await visible(page.getByRole('cell', { name: 'field26@acme.test' }));
    await visible(pager.getByText(`Page 2 of 2 · ${String(FIELD_SIZE)} members`));
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    await page.reload();
    await visible(page.getByRole('cell', { name: 'field26@acme.test' }));
    await visible(pager.getByText('Page 2 of 2'));
    // After the reload, Previous page still knows the first page.
    await page.getByRole('button', { name: 'Previous page' }).click();
    await visible(page.getByRole('cell', { name: 'field01@acme.test' }));
    await page.goBack();
    await visible(page.getByRole('cell', { name: 'field26@acme.test' }));

    // A search is kept too; the team's count is no total of a search, so only the page shows.
    await page.getByLabel('Search members').fill('field1');
    await visible(page.getByRole('cell', { name: 'field10@acme.test' }));
    await hidden(page.getByRole('cell', { name: 'field26@acme.test' }));
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('field1');
    expect(new URL(page.url()).searchParams.get('page')).toBeNull();
    await visible(pager.getByText('Page 1', { exact: true }));
    await page.reload();
    await visible(page.getByRole('cell', { name: 'field10@acme.test' }));
    expect(await page.getByLabel('Search members').inputValue()).toBe('field1');
    expect(await page.getByLabel('Team').inputValue()).toBe(fieldTeamId);

    // Away and Back: the same team and search.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Teams' })
      .click();
    await waitForPath(page, '/admin/teams');
    await page.goBack();
    await visible(page.getByRole('cell', { name: 'field10@acme.test' }));
    expect(await page.getByLabel('Search members').inputValue()).toBe('field1');

    // Another team starts without the search, at its first page.
    await page.getByLabel('Team').selectOption({ label: 'Sales East' });
    await visible(page.getByRole('cell', { name: 'rep1@acme.test' }));
    expect(new URL(page.url()).searchParams.get('q')).toBeNull();
    expect(await page.getByLabel('Search members').inputValue()).toBe('');
  }, 90_000);

  it('asks before leaving a settings page with unsaved edits (in the app, Back, and the tab)', async () => {
    const { page, context } = browser;
    await page.goto(url('/settings/company-details'));
    const industry = page.getByLabel('Industry');
    await visible(industry);
    const before = await industry.inputValue();
    // Without edits, leaving does not ask.
    await page
      .getByRole('navigation', { name: 'My settings' })
      .getByRole('link', { name: 'Task settings' })
      .click();
    await waitForPath(page, '/settings/task-settings');
    await page
      .getByRole('navigation', { name: 'My settings' })
      .getByRole('link', { name: 'Company details' })
      .click();
    await visible(industry);

    await industry.fill(`${before} (edited)`);
    const mainNav = page.getByRole('navigation', { name: 'Main' });
    await mainNav.getByRole('link', { name: 'Admin' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Leave without saving?' });
    await visible(ask);
    await screenshot(page, 'unsaved-changes-confirm');
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await hidden(ask);
    expect(pathOf(page)).toBe('/settings/company-details');
    expect(await industry.inputValue()).toBe(`${before} (edited)`);

    // Back asks too, and staying keeps the page and its edit.
    await page.goBack();
    await visible(ask);
    expect(pathOf(page)).toBe('/settings/company-details');
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await hidden(ask);
    expect(await industry.inputValue()).toBe(`${before} (edited)`);

    // Closing or reloading the tab: the browser's own "Leave site?".
    const dialogType = new Promise<string>((resolve) => {
      page.once('dialog', (dialog) => {
        resolve(dialog.type());
        void dialog.dismiss();
      });
    });
    await page.close({ runBeforeUnload: true });
    expect(await dialogType).toBe('beforeunload');
    expect(page.isClosed()).toBe(false);
    expect(await industry.inputValue()).toBe(`${before} (edited)`);
    expect(context.pages()).toContain(page);

    // Leaving on purpose gives the edit up.
    await mainNav.getByRole('link', { name: 'Admin' }).click();
    await visible(ask);
    await ask.getByRole('button', { name: 'Leave without saving' }).click();
    await waitForPath(page, '/admin');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'My settings' })
      .click();
    await page
      .getByRole('navigation', { name: 'My settings' })
      .getByRole('link', { name: 'Company details' })
      .click();
    await visible(industry);
    expect(await industry.inputValue()).toBe(before);
    // Nothing unsaved now: leaving does not ask.
    await mainNav.getByRole('link', { name: 'Admin' }).click();
    await waitForPath(page, '/admin');
    expect(await ask.count()).toBe(0);
  }, 90_000);

  it('an edit whose Save met an expired session comes back after Log in, and saves then', async () => {
    const { page } = browser;
    const storedIndustry = async () =>
      (
        await readCategory(
          createUnitOfWork(server.database.db).read,
          server.ids['owner@acme.test'] ?? '',
          'company_details',
        )
      ).value.industry;
    await page.goto(url('/settings/company-details'));
    const industry = page.getByLabel('Industry');
    await visible(industry);
    const before = await industry.inputValue();
    await industry.fill(`${before} (kept)`);

    await expireSessions('owner@acme.test');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('status').getByText(EXPIRED));
    await typeCredentials(page, 'owner@acme.test');
    await waitForPath(page, '/settings/company-details');

    // Back as it was left, not yet saved, with the choice.
    const notice = page.getByText('Your session expired before these changes were saved.');
    await visible(notice);
    expect(await industry.inputValue()).toBe(`${before} (kept)`);
    expect(await storedIndustry()).toBe(before);
    await screenshot(page, 'session-expired-unsent-settings');
    await page.getByRole('button', { name: 'Save these changes' }).click();
    await visible(page.getByRole('status').getByText('Company details saved'));
    await hidden(notice);
    expect(await storedIndustry()).toBe(`${before} (kept)`);
    // Saved: a reload shows the stored value and no notice.
    await page.reload();
    await visible(industry);
    expect(await industry.inputValue()).toBe(`${before} (kept)`);
    expect(await notice.count()).toBe(0);
  }, 90_000);

  it('toasts never cover a row action menu', async () => {
    const { page } = browser;
    const rep = await server.database.db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('email', '=', 'rep1@acme.test')
      .executeTakeFirstOrThrow();
    for (const viewport of [
      { width: 1280, height: 700 },
      { width: 390, height: 844 },
    ]) {
      await page.setViewportSize(viewport);
      await page.goto(url(`/admin?team=${eastTeamId}`));
      await page.getByRole('button', { name: `Actions for ${rep.name}` }).click();
      await page.getByRole('menuitem', { name: 'Make admin' }).click();
      const confirm = page.getByRole('alertdialog', { name: `Make ${rep.name} an admin?` });
      await confirm.getByRole('button', { name: 'Make admin' }).click();
      const toast = page.locator('.toast').filter({ hasText: `${rep.name} is now an admin.` });
      await visible(toast);

      // The last row's menu, the one nearest the bottom of the window, while the toast shows.
      const triggers = page.getByRole('button', { name: /^Actions for / });
      const last = triggers.last();
      await last.scrollIntoViewIfNeeded();
      await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
      await last.click();
      const menu = page.getByRole('menu');
      await visible(menu);
      await visible(toast);
      const menuBox = await menu.boundingBox();
      const toastBox = await toast.boundingBox();
      if (!menuBox || !toastBox) throw new Error('no boxes');
      const overlaps =
        menuBox.x < toastBox.x + toastBox.width &&
        toastBox.x < menuBox.x + menuBox.width &&
        menuBox.y < toastBox.y + toastBox.height &&
        toastBox.y < menuBox.y + menuBox.height;
      if (viewport.width > 480) expect(overlaps).toBe(false);
      // Wherever they meet, each item of the menu is what a click there reaches.
      const items = menu.getByRole('menuitem');
      for (let i = 0; i < (await items.count()); i += 1) {
        const box = await items.nth(i).boundingBox();
        if (!box) continue;
        const onTop = await page.evaluate<boolean>(
          `document.elementFromPoint(${String(box.x + box.width / 2)}, ${String(box.y + box.height / 2)})?.closest('[role="menu"]') != null`,
        );
        expect(onTop).toBe(true);
      }
      await screenshot(page, `toast-and-menu-${String(viewport.width)}`);
      await page.keyboard.press('Escape');
      await hidden(menu);
      // Back to a member for the next viewport (and the next test).
      await server.database.db
        .updateTable('users')
        .set({ role: 'member' })
        .where('id', '=', rep.id)
        .execute();
    }
    await page.setViewportSize({ width: 1280, height: 860 });
  }, 90_000);

  it('tells an admin demoted while their page was open, updates the header and opens My settings', async () => {
    const { page } = browser;
    await logOut(page);
    await logIn(page, server.baseUrl, 'admin@acme.test');
    await page.goto(url(`/admin?team=${fieldTeamId}`));
    await visible(page.getByRole('cell', { name: 'field01@acme.test' }));
    const mainNav = page.getByRole('navigation', { name: 'Main' });
    await visible(mainNav.getByRole('link', { name: 'Sync history' }));

    // The primary admin makes them a member meanwhile (their session stays).
    await server.database.db
      .updateTable('users')
      .set({ role: 'member' })
      .where('email', '=', 'admin@acme.test')
      .execute();
    // The stale page's next admin call answers 403.
    await page.getByRole('button', { name: 'Next page' }).click();
    await visible(page.getByText('You are no longer an admin of this organization'));
    await waitForPath(page, '/settings');
    await hidden(mainNav.getByRole('link', { name: 'Sync history' }));
    expect(await mainNav.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await visible(page.getByText(/ · Member$/));
    await waitForTitle(page, 'My settings · Ergo');
    await screenshot(page, 'demoted-admin');

    await server.database.db
      .updateTable('users')
      .set({ role: 'admin' })
      .where('email', '=', 'admin@acme.test')
      .execute();
  }, 90_000);
});
