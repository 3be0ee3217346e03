import { randomBytes } from 'node:crypto';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { FastifyInstance } from 'fastify';
import type { Locator, Page } from 'playwright-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadinessCheck } from '#src/db/health.ts';
import { CRM_KEYS } from '#src/domain/crm.ts';
import { createKeyring } from '#src/domain/secrets/secret-box.ts';
import { buildApp } from '#src/http/app.ts';
import { createConnectorFactory } from '#src/integrations/crm/crm-connectors.ts';
import { createInProcessQueue } from '#src/jobs/job-queue.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { processBulkBatch } from '#src/services/bulk/bulk-sync.service.ts';
import { DEFAULT_THROTTLE } from '#src/services/auth/login-throttle.ts';
import {
  insertOrganizationWithPeople,
  type InsertedOrganizationWithPeople,
} from '#tests/factories/organization.factory.ts';
import { TEST_PASSWORD } from '#tests/factories/password.factory.ts';
import { makeAdminSettings, makeMemberSettings } from '#tests/factories/settings.factory.ts';
import {
  ensureWebBuild,
  hasChromium,
  hidden,
  launchBrowser,
  logOut,
  screenshot,
  visible,
  type UiBrowser,
} from '#tests/e2e/ui/support/ui-harness.ts';
import { loginAs, request, type Agent } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Follow-the-admin policies in real Chromium (issue 16, ADR 0016): an admin sets a team's
 * Pipeline stages to Follow themself + Lock, and Task settings to Follow; the member sees
 * Pipeline stages read-only, "Managed by your admin, <name>"; the admin's own change to their
 * stages is pushed to the member (a follow run, processed in-process as on PGlite) and the bell
 * says so; restoring a locked category is not offered, an unlocked one restores, which pauses
 * follow ("Follow paused after a revert"), shown to the admin with "Resume"; the member's own
 * edit is "Overridden" until "Reset to the admin's settings". Then the new pages at 390 px.
 */

if (!hasChromium) console.log('UI tests skipped: Chromium not found at /usr/bin/chromium');

const webDist = path.resolve(import.meta.dirname, '../../../dist/web');

const ADA = 'ada@umbrella.test';
const BEN = 'ben@umbrella.test';
const LOCK = 'Locked: members cannot change it';
const MANAGED = 'Managed by your admin, Ada Admin';
const RESET = "Reset to the admin's settings";

interface OwnSettings {
  categories: { key: string; value: Record<string, unknown>; managed?: unknown }[];
}

describe.skipIf(!hasChromium)('Follow policies, locks and notifications', () => {
  let database: TestDatabase;
  let uow: UnitOfWork;
  let org: InsertedOrganizationWithPeople;
  let app: FastifyInstance;
  let baseUrl: string;
  let browser: UiBrowser;
  let ben: Agent;
  let stopQueue: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    await ensureWebBuild();
    database = await createTestDatabase();
    uow = createUnitOfWork(database.db);
    const keyring = createKeyring(randomBytes(32));
    // Sales: the primary admin, Ada (the admin followed), Omar (a second admin, demoted while
    // the policies page is open), and two reps whose settings differ from Ada's; the two reps
    // are on Field too (whose policies start unset).
    org = await insertOrganizationWithPeople(uow, keyring, {
      name: 'Umbrella',
      teams: ['Sales', 'Field'],
      primaryAdmin: {
        name: 'Pat Primary',
        email: 'primary@umbrella.test',
        teams: ['Sales'],
        canLogIn: false,
      },
      admins: [
        { name: 'Ada Admin', email: ADA, teams: ['Sales'], settings: makeAdminSettings() },
        { name: 'Omar Other', email: 'omar@umbrella.test', teams: ['Sales'], canLogIn: false },
      ],
      members: [
        { name: 'Ben Rep', email: BEN, teams: ['Sales', 'Field'], settings: makeMemberSettings() },
        {
          name: 'Cara Rep',
          email: 'cara@umbrella.test',
          teams: ['Sales', 'Field'],
          settings: makeMemberSettings(),
          canLogIn: false,
        },
      ],
    });

    const connectorFor = createConnectorFactory({
      baseUrls: Object.fromEntries(CRM_KEYS.map((crm) => [crm, 'http://127.0.0.1:9'])),
    });
    const queue = createInProcessQueue({
      logger: pino({ level: 'silent' }),
      resume: () => uow.read.bulkRuns.unfinishedBatches(),
      retryDelayMs: 1,
    });
    stopQueue = () => queue.stop();
    app = await buildApp({
      logger: pino({ level: 'silent' }),
      version: '0.0.0-test',
      health: await createReadinessCheck(database),
      uow,
      keyring,
      connectorFor,
      secureCookies: false,
      throttleLimits: { ...DEFAULT_THROTTLE, maxPerAddress: 1000, maxPerAccount: 1000 },
      queue,
      bulk: { batchSize: 5 },
      webRoot: webDist,
    });
    const bulkDeps = { uow, keyring, connectorFor, queue, batchSize: 5 };
    await queue.work((job, attempt) => processBulkBatch(bulkDeps, job, attempt));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    ben = await loginAs(app, BEN, TEST_PASSWORD);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    // The browser, the server, its bulk runner, then the database (the runner reads it).
    const opened: ({ close(): Promise<unknown> } | undefined)[] = [
      browser,
      app,
      { close: stopQueue },
      database,
    ];
    for (const resource of opened) await resource?.close();
  });

  const ada = () => org.admins[0]?.id ?? '';

  async function logIn(page: Page, email: string): Promise<void> {
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await visible(page.getByRole('button', { name: 'Log out' }));
  }

  async function switchTo(page: Page, email: string): Promise<void> {
    await logOut(page);
    await logIn(page, email);
  }

  /** Ben's stored value of a category, as his own API reads it. */
  async function bensValue(key: string): Promise<Record<string, unknown>> {
    const settings = (await request(app, ben, 'GET', '/api/me/settings')).json<OwnSettings>();
    return settings.categories.find((c) => c.key === key)?.value ?? {};
  }

  /** Waits until the follow run (or whatever changes Ben's dashboard) has done its work. */
  async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const stageNames = async () =>
    ((await bensValue('pipeline_stages')).stages as { name: string }[] | undefined)?.map(
      (s) => s.name,
    ) ?? [];
  const dueDays = async () => (await bensValue('task_settings')).defaultDueOffsetDays;

  function policy(page: Page, label: string): Locator {
    return page.getByRole('region', { name: label, exact: true });
  }

  function notification(page: Page, title: string): Locator {
    return page.getByRole('article', { name: new RegExp(`${title.replace(/\./g, '\\.')}$`) });
  }

  async function openTeamPolicies(page: Page, team = 'Sales'): Promise<void> {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Teams', exact: true })
      .click();
    await page.getByRole('link', { name: `Follow policies of ${team}` }).click();
    await visible(page.getByRole('heading', { name: 'Follow policies', level: 1 }));
  }

  it('an admin sets Pipeline stages to Follow themself + Lock, and Task settings to Follow; a refused save says why in its row', async () => {
    const { page } = browser;
    await logIn(page, ADA);
    // The bell is there for everyone signed in; nothing unread yet.
    await visible(page.getByRole('link', { name: 'Notifications', exact: true }));
    await openTeamPolicies(page);
    expect(await page.title()).toBe('Follow policies · Ergo');
    expect(page.url()).toBe(`${baseUrl}/admin/teams/${org.teamIds.Sales ?? ''}/policies`);

    const stages = policy(page, 'Pipeline stages');
    // The policy in force, beside the category's name.
    const inForce = stages.locator('.policy-head .badge');
    expect(await inForce.textContent()).toBe('Manual');
    const lock = stages.getByRole('checkbox', { name: LOCK });
    // The lock is only for a followed category.
    expect(await lock.isDisabled()).toBe(true);
    expect(await stages.getByRole('button', { name: 'Save Pipeline stages' }).isDisabled()).toBe(
      true,
    );
    await stages.getByLabel('Mode for Pipeline stages').selectOption({ label: 'Follow' });
    // Follow: you, by default, when you may be followed.
    expect(await stages.getByLabel('Admin to follow for Pipeline stages').inputValue()).toBe(ada());
    expect(await lock.isDisabled()).toBe(false);
    // From the keyboard: Space checks the lock.
    await lock.focus();
    await page.keyboard.press('Space');
    expect(await lock.isChecked()).toBe(true);
    await stages.getByRole('button', { name: 'Save Pipeline stages' }).focus();
    await page.keyboard.press('Enter');
    await visible(stages.getByText('Saved: members follow Ada Admin, locked.'));
    // Save is disabled now (nothing differs): the focus is on what it did, not lost.
    await visible(page.locator(':focus').getByText('Saved: members follow Ada Admin, locked.'));
    await visible(inForce.getByText('Follow Ada Admin, locked', { exact: true }));
    const stored = await database.db
      .selectFrom('team_category_policies')
      .selectAll()
      .where('team_id', '=', org.teamIds.Sales ?? '')
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      category: 'pipeline_stages',
      mode: 'follow',
      source_user_id: ada(),
      locked: true,
    });

    const tasks = policy(page, 'Task settings');
    await tasks.getByLabel('Mode for Task settings').selectOption({ label: 'Follow' });
    await tasks.getByRole('button', { name: 'Save Task settings' }).click();
    await visible(tasks.getByText('Saved: members follow Ada Admin.'));
    await screenshot(page, 'follow-policies-set');

    // Omar stops being an admin while the page is open: following him is refused, in his row.
    const omar = org.admins[1]?.id ?? '';
    await database.db.updateTable('users').set({ role: 'member' }).where('id', '=', omar).execute();
    const company = policy(page, 'Company details');
    await company.getByLabel('Mode for Company details').selectOption({ label: 'Follow' });
    await company.getByLabel('Admin to follow for Company details').selectOption(omar);
    await company.getByRole('button', { name: 'Save Company details' }).click();
    const refusal = company.getByRole('alert');
    await visible(refusal.getByText('Company details wasn’t saved.'));
    expect(((await refusal.textContent()) ?? '').length).toBeGreaterThan(
      'Company details wasn’t saved.'.length,
    );
    await screenshot(page, 'follow-policies-refused');
    await company.getByLabel('Mode for Company details').selectOption({ label: 'Manual' });
    await hidden(refusal);
  }, 60_000);

  it('the member sees Pipeline stages read-only, "Managed by your admin, Ada Admin", with no Save', async () => {
    const { page } = browser;
    await switchTo(page, BEN);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'My settings' })
      .click();
    // The overview marks the categories Ada manages.
    const overview = page.getByRole('link', { name: /^Pipeline stages/ });
    await visible(overview.getByText('Locked', { exact: true }));

    await page
      .getByRole('navigation', { name: 'My settings' })
      .getByRole('link', { name: 'Pipeline stages' })
      .click();
    await visible(page.getByRole('heading', { name: 'Pipeline stages', level: 1 }));
    await visible(page.getByText(MANAGED, { exact: true }));
    // The form is one disabled group, named by who manages it.
    const form = page.getByRole('group', { name: MANAGED });
    await visible(form);
    const names = form.getByLabel('Name', { exact: true });
    expect(await names.count()).toBeGreaterThan(0);
    for (const input of await names.all()) expect(await input.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Add stage' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save changes' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Advanced: edit as JSON' }).count()).toBe(0);
    await screenshot(page, 'follow-member-locked');

    // The API refuses a write too, with the same words.
    const settings = (await request(app, ben, 'GET', '/api/me/settings')).json<{
      dashboardVersion: number;
    }>();
    const refused = await request(app, ben, 'PUT', '/api/me/settings/pipeline_stages', {
      value: await bensValue('pipeline_stages'),
      dashboardVersion: settings.dashboardVersion,
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'category_locked', detail: MANAGED });

    // Task settings is followed but not locked: editable, and the page says what following means.
    await page
      .getByRole('navigation', { name: 'My settings' })
      .getByRole('link', { name: 'Task settings' })
      .click();
    await visible(page.getByText(MANAGED, { exact: true }));
    await visible(page.getByText(/^When Ada Admin changes Task settings/));
    expect(await page.getByLabel('Default due date (days)').isDisabled()).toBe(false);
    await visible(page.getByRole('button', { name: 'Save changes' }));
  }, 60_000);

  it('the admin changes their own Pipeline stages; the member gets the new stages and a notification in the bell', async () => {
    const { page } = browser;
    await switchTo(page, ADA);
    await page.goto(`${baseUrl}/settings/pipeline-stages`);
    await visible(page.getByRole('heading', { name: 'Pipeline stages', level: 1 }));
    await page.getByRole('button', { name: 'Add stage' }).click();
    await page.keyboard.type('Negotiation');
    const added = page.getByRole('group', { name: /^Stage 4/ });
    await added.getByLabel('Probability (%)').fill('70');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('status').getByText('Pipeline stages saved'));

    // The follow push: a bulk run applying Ada's stages to the team.
    await until('the follow push of Pipeline stages', async () =>
      (await stageNames()).includes('Negotiation'),
    );

    await switchTo(page, BEN);
    const bell = page.getByRole('link', { name: /^Notifications, \d+ unread$/ });
    await visible(bell, 35_000);
    expect(await bell.getAttribute('aria-label')).toBe('Notifications, 1 unread');
    await screenshot(page, 'follow-bell-unread');
    await bell.click();
    await visible(page.getByRole('heading', { name: 'Notifications', level: 1 }));
    expect(await page.title()).toBe('Notifications · Ergo');

    const item = notification(page, 'Ada Admin synced Pipeline stages to your dashboard.');
    await visible(item);
    await visible(item.getByText('Unread', { exact: true }));
    await visible(item.getByText(/^Pipeline stages: \d+ added/));
    await visible(item.locator('time'));
    // Review changes: the counts per category, in full.
    const review = item.getByRole('button', { name: 'Review changes' });
    expect(await review.getAttribute('aria-expanded')).toBe('false');
    await review.click();
    expect(await review.getAttribute('aria-expanded')).toBe('true');
    await visible(item.getByRole('region', { name: 'Pipeline stages' }).getByText(/unchanged/));
    // ... and the items themselves: the stage Ada added.
    await visible(
      item
        .getByRole('region', { name: 'Pipeline stages' })
        .getByRole('listitem')
        .filter({ has: page.getByText('Negotiation', { exact: true }) })
        .getByText('Added', { exact: true }),
    );
    // Locked: restoring is not offered, and the notification says why.
    await visible(item.getByText(`${MANAGED}: this category is locked.`));
    expect(await item.getByRole('button', { name: 'Restore my previous settings' }).count()).toBe(
      0,
    );
    await screenshot(page, 'follow-notification-locked');

    await item.getByRole('button', { name: 'Mark as read' }).click();
    await hidden(item.getByText('Unread', { exact: true }));
    await visible(page.getByRole('link', { name: 'Notifications', exact: true }));

    // The member's page shows Ada's stages, still read-only.
    await page.goto(`${baseUrl}/settings/pipeline-stages`);
    const negotiation = page.getByRole('group', { name: /· Negotiation/ });
    await visible(negotiation);
    expect(await negotiation.getByLabel('Name', { exact: true }).isDisabled()).toBe(true);
  }, 90_000);

  it('an unlocked followed category restores from the notification; follow pauses, and the admin sees it with Resume', async () => {
    const { page } = browser;
    await switchTo(page, ADA);
    await page.goto(`${baseUrl}/settings/task-settings`);
    await page.getByLabel('Default due date (days)').fill('5');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('status').getByText('Task settings saved'));
    await until('the follow push of Task settings', async () => (await dueDays()) === 5);

    await switchTo(page, BEN);
    await page.getByRole('link', { name: /^Notifications, \d+ unread$/ }).click();
    const item = notification(page, 'Ada Admin synced Task settings to your dashboard.');
    await visible(item);
    await item.getByRole('button', { name: 'Restore my previous settings' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Restore your previous settings?' });
    await visible(dialog);
    await screenshot(page, 'follow-restore-confirm');
    await dialog.getByRole('button', { name: 'Restore my previous settings' }).click();
    await hidden(dialog);
    await visible(item.getByText('Your previous settings were restored.'));
    expect(await dueDays()).toBe(7);
    await screenshot(page, 'follow-restored');

    await page.getByRole('button', { name: 'Mark all as read' }).click();
    await visible(page.getByText('All read.'));
    await visible(page.getByRole('link', { name: 'Notifications', exact: true }));

    // Follow is paused for Ben's Task settings: his page says so, with the way back.
    await page.goto(`${baseUrl}/settings/task-settings`);
    await visible(page.getByText(/^Follow paused after a revert/));
    await visible(page.getByRole('button', { name: RESET }));

    // The admin sees the exception on the team's policies, and in the member table.
    await switchTo(page, ADA);
    await openTeamPolicies(page);
    const tasks = policy(page, 'Task settings');
    await visible(tasks.getByText(/^Ben Rep — Follow paused after a revert/));
    await visible(tasks.getByRole('button', { name: 'Resume' }));
    await screenshot(page, 'follow-policies-exception');

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin', exact: true })
      .click();
    await page.getByLabel('Team').selectOption({ label: 'Sales' });
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: BEN }) });
    await visible(row.getByText('Follow paused after a revert: Task settings'));
    await screenshot(page, 'follow-member-table-paused');
    await row.getByRole('button', { name: 'Resume' }).click();
    await visible(page.getByRole('status').getByText('Ben Rep follows Task settings again.'));
    await until('the resumed follow of Task settings', async () => (await dueDays()) === 5);
    await hidden(row.getByText('Follow paused after a revert: Task settings'));
  }, 120_000);

  it('the member’s own edit of a followed category is Overridden until "Reset to the admin’s settings"', async () => {
    const { page } = browser;
    await switchTo(page, BEN);
    await page.goto(`${baseUrl}/settings/task-settings`);
    await visible(page.getByText(/^When Ada Admin changes Task settings/));
    await page.getByLabel('Default due date (days)').fill('9');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('status').getByText('Task settings saved'));
    await visible(
      page.getByText("You changed this category: your admin's changes are not applied to it"),
    );
    expect(await dueDays()).toBe(9);

    await page.getByRole('button', { name: RESET }).click();
    const dialog = page.getByRole('alertdialog', { name: /^Reset Task settings to Ada Admin/ });
    await dialog.getByRole('button', { name: RESET }).click();
    await hidden(dialog);
    await visible(page.getByText("Ada Admin's settings were applied."), 20_000);
    expect(await dueDays()).toBe(5);
    expect(await page.getByLabel('Default due date (days)').inputValue()).toBe('5');
    await hidden(page.getByText("You changed this category: your admin's changes are not applied"));
  }, 60_000);

  it('the notifications and team policies pages fit at 390 px and pass axe', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 844 });
    const problems: string[] = [];
    const check = async (where: string) => {
      const { scrollWidth, innerWidth } = await page.evaluate<{
        scrollWidth: number;
        innerWidth: number;
      }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
      if (scrollWidth > innerWidth) problems.push(`${where}: scrolls sideways (${scrollWidth})`);
      const results = await new AxeBuilder({ page })
        .options({ resultTypes: ['violations'] })
        .analyze();
      for (const v of results.violations) {
        if (v.impact === 'serious' || v.impact === 'critical') {
          problems.push(
            `${where}: axe ${v.id} on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
          );
        }
      }
    };
    // Ben: his notifications and his managed Pipeline stages.
    await page.goto(`${baseUrl}/notifications`);
    // Newest first: the resume's and the reset's pushes, then the one restored.
    const tasks = notification(page, 'Ada Admin synced Task settings to your dashboard.');
    await visible(tasks.first());
    expect(await tasks.count()).toBe(3);
    await visible(tasks.last().getByText('You restored your previous settings.'));
    await check('notifications');
    await screenshot(page, 'follow-notifications-390');
    await page.goto(`${baseUrl}/settings/pipeline-stages`);
    await visible(page.getByText(MANAGED, { exact: true }));
    await check('managed pipeline stages');

    // Ada: the team's policies.
    await switchTo(page, ADA);
    await page.goto(`${baseUrl}/admin/teams/${org.teamIds.Sales ?? ''}/policies`);
    await visible(policy(page, 'Pipeline stages'));
    await check('team policies');
    await screenshot(page, 'follow-policies-390');
    await page.setViewportSize({ width: 1280, height: 860 });
    expect(problems).toEqual([]);
  }, 90_000);

  it('a team sharing members whose policy differs is shown on both teams, with whose policy applies', async () => {
    const { page } = browser;
    await openTeamPolicies(page, 'Field');
    const fieldStages = policy(page, 'Pipeline stages');
    // Field has no policy of its own yet: Sales's governs the two reps.
    await visible(
      fieldStages
        .getByRole('note')
        .getByText(
          'Also governed by Sales (2 shared members): Sales’s policy (Follow Ada Admin) applies to them, as it changed more recently.',
        ),
    );
    await fieldStages.getByLabel('Mode for Pipeline stages').selectOption({ label: 'Follow' });
    await fieldStages.getByRole('button', { name: 'Save Pipeline stages' }).click();
    await visible(fieldStages.getByText('Saved: members follow Ada Admin.'));
    // Now Field's (unlocked) is the more recent: it governs the shared members.
    await visible(
      fieldStages
        .getByRole('note')
        .getByText(/^Also governed by Sales \(2 shared members\): this team’s policy applies/),
    );
    await screenshot(page, 'follow-policies-conflict');

    await openTeamPolicies(page, 'Sales');
    await visible(
      policy(page, 'Pipeline stages')
        .getByRole('note')
        .getByText(
          'Also governed by Field (2 shared members): Field’s policy (Follow Ada Admin) applies to them, as it changed more recently.',
        ),
    );
  }, 60_000);
});
