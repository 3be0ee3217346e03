import { randomBytes } from 'node:crypto';
import path from 'node:path';
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
  screenshot,
  visible,
  type UiBrowser,
} from '#tests/e2e/ui/support/ui-harness.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Bulk Sync Settings in real Chromium (issue 11): select the whole team from the member table,
 * preview the run (summed over the members), run it and watch the bar reach N of N, read each
 * member's result (a member without a dashboard fails with its reason), fix that member, and
 * "Retry failed" applies them. The app runs its bulk batches in-process, as on PGlite in
 * production (src/main.ts), in batches of 2 so the bar moves in steps.
 */

if (!hasChromium) console.log('UI tests skipped: Chromium not found at /usr/bin/chromium');

const webDist = path.resolve(import.meta.dirname, '../../../dist/web');

describe.skipIf(!hasChromium)('Bulk Sync Settings from the member table', () => {
  let database: TestDatabase;
  let uow: UnitOfWork;
  let org: InsertedOrganizationWithPeople;
  let app: FastifyInstance;
  let baseUrl: string;
  let browser: UiBrowser;
  let stopQueue: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    await ensureWebBuild();
    database = await createTestDatabase();
    uow = createUnitOfWork(database.db);
    const keyring = createKeyring(randomBytes(32));
    // The team: the primary admin, Ada (the acting admin, the settings source), three reps whose
    // settings differ from Ada's, and Nia, provisioned without a dashboard (setup not complete).
    org = await insertOrganizationWithPeople(uow, keyring, {
      name: 'Initech',
      teams: ['Sales', 'Field'],
      primaryAdmin: {
        name: 'Pat Primary',
        email: 'primary@initech.test',
        teams: ['Sales'],
        canLogIn: false,
      },
      admins: [
        {
          name: 'Ada Admin',
          email: 'ada@initech.test',
          teams: ['Sales', 'Field'],
          settings: makeAdminSettings(),
        },
      ],
      members: [
        ...['Ben', 'Cara', 'Dev'].map((first) => ({
          name: `${first} Rep`,
          email: `${first.toLowerCase()}@initech.test`,
          teams: ['Sales'],
          settings: makeMemberSettings(),
          canLogIn: false,
        })),
        {
          name: 'Nia Newhire',
          email: 'nia@initech.test',
          teams: ['Sales'],
          dashboard: false,
          canLogIn: false,
        },
        // A team of more than one page (25 rows), every rep different from Ada.
        ...Array.from({ length: 27 }, (_, i) => ({
          name: `Field Rep ${String(i + 1).padStart(2, '0')}`,
          email: `field${String(i + 1)}@initech.test`,
          teams: ['Field'],
          settings: makeMemberSettings(),
          canLogIn: false,
        })),
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
      bulk: { batchSize: 2 },
      webRoot: webDist,
    });
    const bulkDeps = { uow, keyring, connectorFor, queue, batchSize: 2 };
    await queue.work((job, attempt) => processBulkBatch(bulkDeps, job, attempt));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
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

  function row(page: Page, email: string): Locator {
    return page.getByRole('row').filter({ has: page.getByRole('cell', { name: email }) });
  }

  /** A member's row in a results table (the name is the row header). */
  function resultRow(table: Locator, name: string): Locator {
    return table
      .getByRole('row')
      .filter({ has: browser.page.getByRole('rowheader', { name, exact: true }) });
  }

  it('previews and runs Sync Settings for a whole team, then retries the member that failed', async () => {
    const { page } = browser;
    const eventStreams: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/events')) eventStreams.push(request.url());
    });
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('Email').fill('ada@initech.test');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await visible(page.getByRole('button', { name: 'Log out' }));
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin', exact: true })
      .click();
    await page.getByLabel('Team').selectOption({ label: 'Sales' });
    await visible(page.getByRole('cell', { name: 'nia@initech.test' }));

    // The primary admin's row and yours can't be selected; the others can, from the keyboard too.
    expect(await page.getByRole('checkbox', { name: 'Select Pat Primary' }).isDisabled()).toBe(
      true,
    );
    expect(await page.getByRole('checkbox', { name: 'Select Ada Admin' }).isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: 'Select Ben Rep' }).focus();
    await page.keyboard.press('Space');
    const bar = page.getByRole('group', { name: 'Bulk actions' });
    await visible(bar.getByText('1 member selected.'));
    await visible(bar.getByRole('button', { name: 'Sync CRM for 1 member' }));
    // All three reps differ from Ada's settings (Nia has no dashboard to compare).
    await bar.getByRole('button', { name: 'Select all 3 out of sync' }).click();
    await visible(bar.getByText('3 members selected.'));
    await bar.getByRole('button', { name: 'Clear selection' }).click();
    await visible(bar.getByText('Select members to sync them together.'));

    // The whole team: everyone but the primary admin and you.
    await bar.getByRole('button', { name: 'Select all 4 in this team' }).click();
    await visible(
      bar.getByText(
        'All 4 members in this team selected (everyone but the primary admin and you).',
      ),
    );
    for (const name of ['Ben Rep', 'Cara Rep', 'Dev Rep', 'Nia Newhire']) {
      expect(await page.getByRole('checkbox', { name: `Select ${name}` }).isChecked()).toBe(true);
    }
    expect(
      await page.getByRole('checkbox', { name: 'Select all members on this page' }).isChecked(),
    ).toBe(true);
    await screenshot(page, 'bulk-selection-team');

    await bar.getByRole('button', { name: 'Sync Settings to 4 members' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sync Settings to 4 members' });
    // The categories of the single modal, Email templates off by default.
    await visible(dialog.getByRole('checkbox', { name: 'Custom properties', exact: true }));
    expect(await dialog.locator('.check-label').count()).toBe(10);
    expect(
      await dialog.getByRole('checkbox', { name: 'Email templates', exact: true }).isChecked(),
    ).toBe(false);
    expect(
      await dialog.getByRole('checkbox', { name: 'Pipeline stages', exact: true }).isChecked(),
    ).toBe(true);

    // Preview: a dry run over the four, summed; nothing is written.
    await dialog.getByRole('button', { name: 'Preview', exact: true }).click();
    const preview = dialog.getByRole('region', { name: 'Preview: what would change' });
    const headline = preview.locator('.bulk-preview-headline');
    await visible(headline);
    expect(await headline.textContent()).toBe(
      [
        '3 members will change: 3 properties added, 3 properties updated, 3 properties removed',
        '6 stages added, 3 stages updated, 15 company details updated, 3 meeting titles added',
        '6 alternate domains added, 3 alternate domains removed, 3 partnership domains added',
        '6 task settings updated, 6 advanced settings updated',
      ].join(', '),
    );
    await visible(preview.getByText('1 member can’t be synced: see the list of members.'));
    expect(
      await database.db.selectFrom('sync_runs').select('id').execute(),
      'a preview writes no history',
    ).toHaveLength(0);
    const show = preview.getByRole('button', { name: 'Show 4 members' });
    expect(await show.getAttribute('aria-expanded')).toBe('false');
    await show.click();
    const perMember = preview.getByRole('table', { name: 'Preview per member' });
    await visible(resultRow(perMember, 'Ben Rep').getByText('Will change', { exact: true }));
    await visible(resultRow(perMember, 'Nia Newhire').getByText('Failed', { exact: true }));
    await screenshot(page, 'bulk-preview');

    // The real run: the bar reaches 4 of 4, then the results per member.
    await dialog.getByRole('button', { name: 'Sync 4 members' }).click();
    const progress = dialog.getByRole('progressbar', { name: 'Members done' });
    await visible(progress);
    expect(await progress.getAttribute('aria-valuemax')).toBe('4');
    await visible(dialog.getByText('4 of 4 done'), 20_000);
    expect(await progress.getAttribute('aria-valuenow')).toBe('4');
    await visible(dialog.getByText('Finished: 3 applied, 0 unchanged, 1 failed.', { exact: true }));
    // Progress came from the run's Server-Sent Events (the preview's stream, then the run's).
    expect(eventStreams.length).toBeGreaterThanOrEqual(2);
    const results = dialog.getByRole('table', { name: 'Results per member' });
    for (const name of ['Ben Rep', 'Cara Rep', 'Dev Rep']) {
      await visible(resultRow(results, name).getByText('Applied', { exact: true }));
    }
    const nia = resultRow(results, 'Nia Newhire');
    await visible(nia.getByText('Failed', { exact: true }));
    await visible(nia.getByText(/The user dashboard is missing/));
    await visible(nia.getByRole('cell', { name: 'nia@initech.test' }));
    await dialog.getByRole('checkbox', { name: 'Failures only' }).check();
    await hidden(resultRow(results, 'Ben Rep'));
    expect(await results.locator('tbody tr').count()).toBe(1);
    await screenshot(page, 'bulk-results-failures');

    // Fix the cause (Nia's dashboard now exists), then "Retry failed" applies her.
    const niaId = org.members[3]?.id ?? '';
    await uow.transaction((repos) => repos.dashboards.create(niaId, org.organizationId));
    await dialog.getByRole('button', { name: 'Retry failed' }).click();
    await visible(
      dialog.getByRole('heading', {
        name: 'Sync Settings to 1 member (retry of the failed members): finished',
      }),
      20_000,
    );
    await visible(dialog.getByText('1 of 1 done'));
    const retried = dialog.getByRole('table', { name: 'Results per member' });
    await visible(resultRow(retried, 'Nia Newhire').getByText('Applied', { exact: true }));
    expect(await dialog.getByRole('button', { name: 'Retry failed' }).count()).toBe(0);
    await screenshot(page, 'bulk-retry-applied');

    await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
    await hidden(dialog);
    // The table shows the bulk sync as each member's last sync.
    await visible(row(page, 'nia@initech.test').getByText('Sync Settings to User'));

    // A narrow window: the table scrolls inside its card, the selection bar wraps.
    await page.setViewportSize({ width: 420, height: 800 });
    await visible(bar.getByRole('button', { name: 'Sync Settings to 4 members' }));
    const overflow = await page.evaluate<number>(
      "document.querySelector('.bulk-selection').scrollWidth - document.querySelector('.bulk-selection').clientWidth",
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'bulk-selection-narrow');
    await page.setViewportSize({ width: 1280, height: 860 });
  }, 60_000);

  it('selects everyone out of sync in a team of several pages, syncs them, and then finds no one left', async () => {
    const { page } = browser;
    await page.getByLabel('Team').selectOption({ label: 'Field' });
    await visible(page.getByRole('cell', { name: 'field1@initech.test' }));
    const bar = page.getByRole('group', { name: 'Bulk actions' });
    // The page-only shortcut says so; the team-wide one lets the server decide who differs.
    await visible(bar.getByRole('button', { name: /out of sync on this page$/ }));
    await bar.getByRole('button', { name: 'Select everyone out of sync in this team' }).click();
    await visible(
      bar.getByText(
        'Everyone in this team out of sync with you is selected, on every page. Preview to see who.',
      ),
    );
    await bar.getByRole('button', { name: 'Sync Settings to everyone out of sync' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sync Settings to everyone out of sync' });
    await dialog.getByRole('button', { name: 'Sync everyone out of sync' }).click();
    await visible(dialog.getByText('27 of 27 done'), 30_000);
    await visible(
      dialog.getByText('Finished: 27 applied, 0 unchanged, 0 failed.', { exact: true }),
    );
    await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
    await hidden(dialog);

    // Everyone now has Ada's settings in the chosen categories (the selection stays): nothing
    // to start.
    await bar.getByRole('button', { name: 'Sync Settings to everyone out of sync' }).click();
    await dialog.getByRole('button', { name: 'Sync everyone out of sync' }).click();
    await visible(
      dialog
        .getByRole('alert')
        .getByText(
          'Every member of this selection already has your settings in the chosen categories.',
        ),
    );
    await screenshot(page, 'bulk-out-of-sync-none-left');
  }, 90_000);
});
