import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { loginAs, request } from '#tests/support/test-app.ts';
import {
  ensureWebBuild,
  hasChromium,
  launchBrowser,
  logIn,
  screenshot,
  startUiServer,
  visible,
  type UiBrowser,
  type UiServer,
} from '#tests/e2e/ui/support/ui-harness.ts';

/**
 * Issue 14 §5, forms not JSON: the list categories (here Pipeline stages and Custom properties)
 * are edited one row per item, with add, remove and keyboard reordering, validation under each
 * field, and the raw JSON kept as an advanced view that still saves.
 */

if (!hasChromium) console.log('UI tests skipped: Chromium not found at /usr/bin/chromium');

interface OwnSettings {
  categories: { key: string; value: Record<string, unknown> }[];
}

interface Stage {
  internalId: string;
  name: string;
  order: number;
  probability: number;
  crmStageMappings: Record<string, string>;
}

interface Property {
  crm: string;
  object: string;
  name: string;
  label: string;
  type: string;
  options: { label: string; value: string }[];
  ownerProperty: boolean;
}

const MEMBER = 'rep4@acme.test';

describe.skipIf(!hasChromium)('Settings list editors', () => {
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

  async function valueOf(key: string): Promise<Record<string, unknown>> {
    const agent = await loginAs(server.app, MEMBER);
    const settings = (
      await request(server.app, agent, 'GET', '/api/me/settings')
    ).json<OwnSettings>();
    return settings.categories.find((c) => c.key === key)?.value ?? {};
  }

  const stages = async () => ((await valueOf('pipeline_stages')).stages ?? []) as Stage[];

  /** The accessible name of what has focus (a button's aria-label, else its text). */
  const focusedName = async (page: Page): Promise<string> => {
    const focused = page.locator(':focus');
    if ((await focused.count()) === 0) return '';
    return (
      (await focused.getAttribute('aria-label')) ?? ((await focused.textContent()) ?? '').trim()
    );
  };

  async function tabTo(page: Page, name: string): Promise<void> {
    for (let i = 0; i < 12; i += 1) {
      await page.keyboard.press('Tab');
      if ((await focusedName(page)) === name) return;
    }
    throw new Error(`Tab never reached “${name}” (focus on “${await focusedName(page)}”)`);
  }

  it('adds, reorders with the keyboard, removes and saves Pipeline stages; an empty field is refused under it', async () => {
    const { page } = browser;
    await logIn(page, server.baseUrl, MEMBER);
    const nav = page.getByRole('navigation', { name: 'My settings' });
    await nav.getByRole('link', { name: 'Pipeline stages' }).click();
    await visible(page.getByRole('heading', { name: 'Pipeline stages', level: 1 }));
    const before = await stages();
    expect(before.length).toBeGreaterThanOrEqual(3);
    const last = before.at(-1);
    const second = before[1];
    if (!last || !second) throw new Error('the demo member has too few stages');
    // The first stage has CRM stage IDs, which the form shows and keeps.
    expect(Object.keys(before[0]?.crmStageMappings ?? {})).not.toEqual([]);
    await visible(page.getByRole('group', { name: new RegExp(`^Stage 1 · ${before[0]?.name}`) }));

    // Add: focus lands on the new stage's first field, so it is typed into straight away.
    await page.getByRole('button', { name: 'Add stage' }).click();
    const added = page.getByRole('group', { name: new RegExp(`^Stage ${before.length + 1}`) });
    await visible(added);
    await visible(added.getByLabel('Name', { exact: true }).and(page.locator(':focus')));
    await page.keyboard.type('Qualified');
    await added.getByLabel('Probability (%)').fill('20');
    // Per-CRM stage IDs: one filled, the others left blank (left out of the stage).
    await added.getByLabel('HubSpot stage ID').fill('qualifiedtobuy');
    await added.getByLabel('Name', { exact: true }).focus();

    // Reorder with the keyboard only: Tab to the row's "Move … up", Enter twice (focus stays).
    await tabTo(page, "Move Stage 'Qualified' up");
    await page.keyboard.press('Enter');
    expect(await focusedName(page)).toBe("Move Stage 'Qualified' up");
    await page.keyboard.press('Enter');
    await visible(
      page.getByRole('group', { name: new RegExp(`^Stage ${before.length - 1} · Qualified`) }),
    );
    await screenshot(page, 'settings-list-stages-reordered');

    // Remove the last stage (by a button that names it).
    await page.getByRole('button', { name: `Remove Stage '${last.name}'` }).click();
    expect(await page.getByRole('button', { name: `Remove Stage '${last.name}'` }).count()).toBe(0);

    // A field left empty: its message under that field, and nothing saved.
    const secondRow = page.getByRole('group', { name: new RegExp(`^Stage 2 · ${second.name}`) });
    await secondRow.getByLabel('Name', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const summary = page.getByRole('alert');
    await visible(summary.getByText(/Name of stage 2/));
    const emptied = page.getByRole('group', { name: /^Stage 2$/ });
    const error = emptied.locator('.field-invalid .field-error');
    await visible(error);
    expect(await error.count()).toBe(1);
    const message = (await error.textContent()) ?? '';
    expect(message).toMatch(/^Name of stage 2 /);
    expect(await summary.textContent()).toContain(message);
    // The input points at its message (screen readers read it with the field).
    const describedBy =
      (await emptied.getByLabel('Name', { exact: true }).getAttribute('aria-describedby')) ?? '';
    expect(describedBy).not.toBe('');
    expect(await stages()).toEqual(before);
    await screenshot(page, 'settings-list-stages-invalid');

    await emptied.getByLabel('Name', { exact: true }).fill(second.name);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('status').getByText('Pipeline stages saved'));

    const expected = [...before.slice(0, -2).map((s) => s.name), 'Qualified', before.at(-2)?.name];
    const after = await stages();
    expect(after.map((s) => s.name)).toEqual(expected);
    expect(after.map((s) => s.order)).toEqual(expected.map((_, index) => index));
    const qualified = after.find((s) => s.name === 'Qualified');
    expect(qualified).toMatchObject({
      probability: 20,
      crmStageMappings: { hubspot: 'qualifiedtobuy' },
    });
    expect(qualified?.internalId).toMatch(/^stage\.custom_\d+$/);
    // The kept stages keep their own fields (internal ID, probability).
    expect(after[0]).toMatchObject({
      internalId: before[0]?.internalId,
      probability: before[0]?.probability,
      crmStageMappings: before[0]?.crmStageMappings,
    });
    // After the save the form shows the stored order.
    await visible(
      page.getByRole('group', { name: new RegExp(`^Stage ${before.length - 1} · Qualified`) }),
    );
  }, 90_000);

  it('edits Salesforce record types in the same form as the stages: a bad ID is refused under it, then saved', async () => {
    const { page } = browser;
    await page.goto(`${server.baseUrl}/settings/pipeline-stages`);
    const records = page.getByRole('region', { name: 'Salesforce record types' });
    await visible(records);
    const before = (await valueOf('pipeline_stages')).salesforceRecordTypes as unknown[];
    const stageIds = (await stages()).slice(0, 2).map((s) => s.internalId);

    await records.getByRole('button', { name: 'Add record type' }).click();
    const added = records.getByRole('group', {
      name: new RegExp(`^Record type ${String(before.length + 1)}`),
    });
    await visible(added.getByLabel('Name', { exact: true }).and(page.locator(':focus')));
    await page.keyboard.type('Enterprise');
    await added.getByLabel('Record type ID').fill('not-an-id');
    await added.getByLabel('Developer name').fill('Enterprise_Deal');
    await added.getByLabel('Stages (internal IDs)').fill(stageIds.join('\n'));
    await page.getByRole('button', { name: 'Save changes' }).click();
    const error = added.locator('.field-invalid .field-error');
    await visible(error);
    expect(await error.textContent()).toMatch(
      new RegExp(`^ID of Salesforce record type ${String(before.length + 1)} `),
    );
    expect((await valueOf('pipeline_stages')).salesforceRecordTypes).toEqual(before);

    await added.getByLabel('Record type ID').fill('012000000000ABCAAA');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('status').getByText('Pipeline stages saved'));
    const after = (await valueOf('pipeline_stages')).salesforceRecordTypes as unknown[];
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after[before.length]).toEqual({
      recordTypeId: '012000000000ABCAAA',
      name: 'Enterprise',
      developerName: 'Enterprise_Deal',
      stageInternalIds: stageIds,
      isActive: true,
    });
  }, 90_000);

  it('adds and edits Custom properties, and the Advanced JSON view still saves', async () => {
    const { page } = browser;
    const nav = page.getByRole('navigation', { name: 'My settings' });
    await nav.getByRole('link', { name: 'Custom properties' }).click();
    await visible(page.getByRole('heading', { name: 'Custom properties', level: 1 }));
    const before = ((await valueOf('custom_properties')).properties ?? []) as Property[];
    const first = before[0];
    if (!first) throw new Error('the demo member has no custom properties');

    // Edit the first property's label.
    const firstRow = page.getByRole('group', { name: new RegExp(`^Custom property 1 · `) });
    await firstRow.getByLabel('Label', { exact: true }).fill('Renewal date (edited)');

    // Add a pick list with two options.
    await page.getByRole('button', { name: 'Add custom property' }).click();
    const row = page.getByRole('group', {
      name: new RegExp(`^Custom property ${before.length + 1}`),
    });
    await visible(row);
    await row.getByLabel('Label', { exact: true }).fill('Deal tier');
    await row.getByLabel('Name', { exact: true }).fill('deal tier');
    await row.getByLabel('Object').selectOption({ label: 'Company' });
    await row.getByLabel('Type').selectOption({ label: 'Pick list (enumeration)' });
    await row.getByLabel('Options').fill('Gold = gold\nSilver');
    await page.getByRole('button', { name: 'Save changes' }).click();
    // The internal name is refused under its field; nothing is saved.
    const nameError = row.locator('.field-invalid .field-error');
    await visible(nameError);
    expect(await nameError.textContent()).toMatch(/^Name of custom property \d+ /);
    expect((await valueOf('custom_properties')).properties).toEqual(before);

    await row.getByLabel('Name', { exact: true }).fill('deal_tier');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('status').getByText('Custom properties saved'));
    const saved = ((await valueOf('custom_properties')).properties ?? []) as Property[];
    expect(saved).toHaveLength(before.length + 1);
    expect(saved[0]).toEqual({ ...first, label: 'Renewal date (edited)' });
    expect(saved.at(-1)).toEqual({
      crm: 'hubspot',
      object: 'company',
      name: 'deal_tier',
      label: 'Deal tier',
      type: 'enumeration',
      options: [
        { label: 'Gold', value: 'gold' },
        { label: 'Silver', value: 'Silver' },
      ],
      ownerProperty: false,
    });
    await screenshot(page, 'settings-list-custom-properties');

    // Advanced: the same value as JSON; an edit there saves through the same path.
    await page.getByRole('button', { name: 'Advanced: edit as JSON' }).click();
    const editor = page.getByLabel('Custom properties as JSON');
    const value = JSON.parse(await editor.inputValue()) as { properties: Property[] };
    expect(value.properties).toEqual(saved);
    const tier = value.properties.at(-1);
    if (!tier) throw new Error('no property');
    tier.label = 'Customer tier';
    await editor.fill(JSON.stringify(value, null, 2));
    await visible(page.getByText('Valid: this can be saved.'));
    await page.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('status').getByText('Custom properties saved').last());
    const final = ((await valueOf('custom_properties')).properties ?? []) as Property[];
    expect(final.at(-1)?.label).toBe('Customer tier');
    // Back in the list, the row shows the value saved from JSON.
    await visible(page.getByRole('group', { name: /· Customer tier$/ }));
  }, 90_000);

  it('edits Meeting titles and Email templates as forms, each message under its field', async () => {
    const { page } = browser;
    const nav = page.getByRole('navigation', { name: 'My settings' });
    await nav.getByRole('link', { name: 'Meeting titles' }).click();
    await visible(page.getByRole('heading', { name: 'Meeting titles', level: 1 }));
    const titlesBefore = ((await valueOf('meeting_titles')).templates ?? []) as { id: string }[];

    await page.getByRole('button', { name: 'Add meeting title' }).click();
    await page.keyboard.type('{{company}} and {{nobody}}');
    const title = page.getByRole('group', {
      name: new RegExp(`^Meeting title ${titlesBefore.length + 1}`),
    });
    await title.getByLabel('Minimum attendees').fill('3');
    await title.getByRole('checkbox', { name: 'Demo', exact: true }).check();
    await title.getByRole('checkbox', { name: 'External meetings only' }).uncheck();
    await page.getByRole('button', { name: 'Save changes' }).click();
    const titleError = title.locator('.field-invalid .field-error');
    await visible(titleError);
    expect(await titleError.textContent()).toContain('{{nobody}}');
    expect((await valueOf('meeting_titles')).templates).toHaveLength(titlesBefore.length);

    await title.getByLabel('Title', { exact: true }).fill('{{company}} demo ({{date}})');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('status').getByText('Meeting titles saved'));
    const titles = ((await valueOf('meeting_titles')).templates ?? []) as Record<string, unknown>[];
    expect(titles.at(-1)).toEqual({
      id: 'title_1',
      title: '{{company}} demo ({{date}})',
      appliesTo: { meetingTypes: ['demo'], externalOnly: false, minAttendees: 3 },
    });

    await nav.getByRole('link', { name: 'Email templates' }).click();
    await visible(page.getByRole('heading', { name: 'Email templates', level: 1 }));
    const before = ((await valueOf('email_templates')).templates ?? []) as { id: string }[];
    await page.getByRole('button', { name: 'Add template' }).click();
    await page.keyboard.type('Deal won shout-out');
    const template = page.getByRole('group', {
      name: new RegExp(`^Template ${before.length + 1}`),
    });
    await template.getByLabel('Kind').selectOption({ label: 'Slack' });
    await template.getByLabel('Subject').fill('Not for Slack');
    await page.getByRole('button', { name: 'Save changes' }).click();
    // Two fields refused, each under itself: a Slack template has no subject, and a body.
    const errors = template.locator('.field-invalid .field-error');
    await visible(errors.first());
    expect(await errors.count()).toBe(2);
    expect(await errors.allTextContents()).toEqual([
      expect.stringMatching(/^Subject of template \d+ /),
      expect.stringMatching(/^Body of template \d+ /),
    ]);
    await template.getByLabel('Subject').fill('');
    await template.getByLabel('Body').fill('{{rep_name}} closed {{deal_name}} :tada:');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('status').getByText('Email templates saved'));
    const templates = ((await valueOf('email_templates')).templates ?? []) as unknown[];
    expect(templates.at(-1)).toEqual({
      id: 'template_1',
      kind: 'slack',
      name: 'Deal won shout-out',
      subject: null,
      body: '{{rep_name}} closed {{deal_name}} :tada:',
    });
  }, 90_000);

  it('the four list editors fit a 390 px screen and pass axe', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 844 });
    const findings: string[] = [];
    for (const [label, slug] of [
      ['Custom properties', 'custom-properties'],
      ['Pipeline stages', 'pipeline-stages'],
      ['Meeting titles', 'meeting-titles'],
      ['Email templates', 'email-templates'],
    ] as const) {
      await page.goto(`${server.baseUrl}/settings/${slug}`);
      await visible(page.getByRole('heading', { name: label, level: 1 }));
      const widths = await page.evaluate<[number, number]>(
        '[document.documentElement.scrollWidth, window.innerWidth]',
      );
      if (widths[0] > widths[1]) findings.push(`${label}: ${String(widths[0])} px wide`);
      const axe = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
      for (const v of axe.violations) {
        if (v.impact === 'serious' || v.impact === 'critical') {
          findings.push(`${label}: axe ${v.id} on ${v.nodes[0]?.target.join(' ') ?? '?'}`);
        }
      }
    }
    await screenshot(page, 'settings-list-stages-390');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(findings).toEqual([]);
  }, 90_000);
});
