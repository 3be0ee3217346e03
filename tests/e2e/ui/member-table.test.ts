import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
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

/** The member table of a large team: paginated, searchable, and operable from the keyboard. */

if (!hasChromium) console.log('UI tests skipped: Chromium not found at /usr/bin/chromium');

const FIELD_TEAM = 'Field Sales';
const FIELD_SIZE = 60;

describe.skipIf(!hasChromium)('Admin member table', () => {
  let server: UiServer;
  let browser: UiBrowser;

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startUiServer();
    // A large team: 60 provisioned reps (no dashboards yet) next to the demo teams.
    const uow = createUnitOfWork(server.database.db);
    await uow.transaction(async (repos) => {
      const acme = await repos.organizations.findByName('Acme');
      if (!acme) throw new Error('demo organization Acme missing');
      const [team] = await repos.teams.insertMany(acme.id, [FIELD_TEAM]);
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
      if (!team) throw new Error('team not created');
      await repos.teams.addMembers(
        acme.id,
        users.map((u) => ({ teamId: team.id, userId: u.id })),
      );
    });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    const opened: ({ close(): Promise<void> } | undefined)[] = [browser, server];
    for (const resource of opened) await resource?.close();
  });

  it('pages through a large team and searches by name or email', async () => {
    const { page } = browser;
    await logIn(page, server.baseUrl, 'owner@acme.test');
    await visible(page.getByRole('heading', { name: 'Choose a team to see its members.' }));
    await screenshot(page, 'admin-choose-team');
    await page.getByLabel('Team').selectOption({ label: FIELD_TEAM });
    const rows = page.getByRole('table').getByRole('row');
    await visible(page.getByRole('cell', { name: 'field01@acme.test' }));
    expect(await rows.count()).toBe(1 + 25);
    await visible(page.getByText('Page 1'));

    await page.getByRole('button', { name: 'Next page' }).click();
    await visible(page.getByRole('cell', { name: 'field26@acme.test' }));
    expect(await rows.count()).toBe(1 + 25);
    await page.getByRole('button', { name: 'Next page' }).click();
    await visible(page.getByRole('cell', { name: 'field60@acme.test' }));
    expect(await rows.count()).toBe(1 + 10);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await visible(page.getByRole('cell', { name: 'field26@acme.test' }));

    await page.getByLabel('Search members').fill('field42');
    await visible(page.getByRole('cell', { name: 'field42@acme.test' }));
    await hidden(page.getByRole('cell', { name: 'field26@acme.test' }));
    expect(await rows.count()).toBe(2);
    await visible(page.getByText('Page 1'));
    await page.getByLabel('Search members').fill('nobody-like-this');
    await visible(page.getByText('No members match “nobody-like-this”.'));
    await screenshot(page, 'admin-search-empty');
  }, 60_000);

  it('opens the action menu and the Sync Settings modal from the keyboard', async () => {
    const { page } = browser;
    await page.getByLabel('Team').selectOption({ label: 'Sales West' });
    const trigger = page.getByRole('button', { name: 'Actions for Emily Zhang' });
    await trigger.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu');
    await visible(menu.getByRole('menuitem', { name: 'Sync CRM' }));
    await screenshot(page, 'admin-menu-keyboard');
    await page.keyboard.press('ArrowDown');
    await visible(
      menu
        .getByRole('menuitem', { name: 'Sync Settings to User' })
        .and(page.locator('[data-highlighted]')),
    );
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Sync Settings to User' });
    await visible(dialog.getByRole('checkbox', { name: 'Email templates', exact: true }));
    // Space toggles a category; Escape closes the dialog and focus returns to the trigger.
    await dialog.getByRole('checkbox', { name: 'Email templates', exact: true }).focus();
    await page.keyboard.press('Space');
    expect(
      await dialog.getByRole('checkbox', { name: 'Email templates', exact: true }).isChecked(),
    ).toBe(true);
    await page.keyboard.press('Escape');
    await hidden(dialog);
    // Focus comes back once the dialog has unmounted (a frame after it is hidden): wait for it.
    await expect
      .poll(() =>
        page.evaluate<string | null>(
          "document.activeElement && document.activeElement.getAttribute('aria-label')",
        ),
      )
      .toBe('Actions for Emily Zhang');
  }, 60_000);

  it('a menu reopened the moment a dialog closes stays open (focus is restored once, never taken back)', async () => {
    const { page } = browser;
    const trigger = page.getByRole('button', { name: 'Actions for Emily Zhang' });
    await trigger.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Sync Settings to User' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sync Settings to User' });
    await visible(dialog.getByRole('checkbox', { name: 'Email templates', exact: true }));
    // Escape, then focus the trigger and press Enter in the same task: the fastest keyboard
    // user, ahead of the focus restoration the closed dialog has queued.
    await page.evaluate(`(() => {
      const key = (k) => new KeyboardEvent('keydown', { key: k, bubbles: true });
      (document.activeElement || document.body).dispatchEvent(key('Escape'));
      const button = document.querySelector('[aria-label="Actions for Emily Zhang"]');
      button.focus();
      button.dispatchEvent(key('Enter'));
    })()`);
    await hidden(dialog);
    const menu = page.getByRole('menu');
    await visible(menu.getByRole('menuitem', { name: 'Sync CRM' }));
    // Past the queued restoration (a 0 ms timer) and a few frames: the menu is still open.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect(await menu.getByRole('menuitem', { name: 'Sync CRM' }).isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await hidden(menu);
  }, 60_000);
});
