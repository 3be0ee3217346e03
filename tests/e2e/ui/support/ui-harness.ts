import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { buildApp } from '#src/http/app.ts';
import { startEmulators, type RunningEmulators } from '#emulators/start-emulators.ts';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
import { seedDemo } from '#src/services/demo/seed-demo.service.ts';
import { buildTestApp } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';
import { DEMO_CRM_ACCOUNTS } from '#src/db/seed/demo-data.ts';
import { CRM_KEYS, type CrmKey } from '#src/domain/crm.ts';
import { createOAuthProviders } from '#src/integrations/crm/oauth/oauth-providers.ts';

/**
 * The UI tests' world: the real server (built app in dist/web, demo data, CRM emulators) on a
 * random port, and Debian's Chromium driven by playwright-core. Nothing is downloaded.
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const webDist = path.join(repoRoot, 'dist/web');
const screensDir = path.join(repoRoot, '.tmp/screens');
const buildLock = path.join(repoRoot, '.tmp/web-build.lock');

async function newestMtime(target: string): Promise<number> {
  const info = await stat(target);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(target)) {
    newest = Math.max(newest, await newestMtime(path.join(target, entry)));
  }
  return newest;
}

async function buildIsFresh(): Promise<boolean> {
  const index = path.join(webDist, 'index.html');
  if (!existsSync(index)) return false;
  const built = (await stat(index)).mtimeMs;
  const sources = await Promise.all(
    ['src/web', 'src/domain', 'vite.config.ts'].map((p) => newestMtime(path.join(repoRoot, p))),
  );
  return Math.max(...sources) <= built;
}

function runViteBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'vite.config.ts'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`vite build failed (${String(code)}):\n${output}`));
    });
  });
}

/**
 * Builds the web app once when dist/web is missing or older than its sources. Test files run in
 * parallel workers, so a lock directory (mkdir is atomic) makes one build and the others wait.
 */
export async function ensureWebBuild(): Promise<void> {
  await mkdir(path.dirname(buildLock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await mkdir(buildLock);
      break;
    } catch {
      if (Date.now() > deadline) {
        // A worker that died mid-build left its lock behind.
        await rm(buildLock, { recursive: true, force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (!(await buildIsFresh())) await runViteBuild();
  } finally {
    await rm(buildLock, { recursive: true, force: true });
  }
}

export interface UiServer {
  baseUrl: string;
  app: FastifyInstance;
  database: TestDatabase;
  emulators: RunningEmulators;
  /** User ids by email. */
  ids: Record<string, string>;
  close(): Promise<void>;
}

/** The OAuth app every emulator knows when a UI test asks for "Connect <CRM>". */
export const UI_OAUTH_CLIENT = {
  clientId: 'ergo-ui-test',
  clientSecret: 'ui-test-client-secret-0123',
};

/**
 * The real app (same deps as buildTestApp, plus the built web app) over a seeded test database.
 * With `oauth`, those CRMs get an OAuth client registered with their emulators ("Connect <CRM>").
 */
export async function startUiServer(
  options: { oauth?: readonly CrmKey[] } = {},
): Promise<UiServer> {
  const database = await createTestDatabase();
  const oauthCrms = options.oauth ?? [];
  const accounts = Object.fromEntries(
    CRM_KEYS.map((crm) => [
      crm,
      oauthCrms.includes(crm)
        ? { ...DEMO_CRM_ACCOUNTS[crm], oauthClients: [UI_OAUTH_CLIENT] }
        : DEMO_CRM_ACCOUNTS[crm],
    ]),
  );
  const emulators = await startEmulators({ accounts });
  const testApp = await buildTestApp(database, {
    crmBaseUrls: emulators.urls,
    oauth: createOAuthProviders(
      Object.fromEntries(oauthCrms.map((crm) => [crm, UI_OAUTH_CLIENT])),
      { baseUrls: emulators.urls },
    ),
  });
  // buildTestApp does not pass webRoot: build the same app again with it.
  await testApp.app.close();
  const app = await buildApp({ ...testApp.deps, webRoot: webDist, demo: true });
  await seedDemo(createUnitOfWork(database.db), testApp.keyring);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const users = await database.db.selectFrom('users').select(['id', 'email']).execute();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    database,
    emulators,
    ids: Object.fromEntries(users.map((u) => [u.email, u.id])),
    close: async () => {
      await app.close();
      await emulators.close();
      await database.close();
    },
  };
}

export interface UiBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<UiBrowser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'ergo-ui-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 860 },
    // The app turns its open/close animations off for this, so screenshots show settled states.
    reducedMotion: 'reduce',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot to .tmp/screens (gitignored) for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screensDir, { recursive: true });
  await page.screenshot({ path: path.join(screensDir, `${name}.png`), fullPage: false });
}

export async function visible(locator: Locator, timeout?: number): Promise<Locator> {
  await locator.waitFor({ state: 'visible', ...(timeout ? { timeout } : {}) });
  return locator;
}

export async function hidden(locator: Locator, timeout?: number): Promise<void> {
  await locator.waitFor({ state: 'hidden', ...(timeout ? { timeout } : {}) });
}

/** Logs in through the Log in page, as a person would. */
export async function logIn(page: Page, baseUrl: string, email: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await visible(page.getByRole('button', { name: 'Log out' }));
}

export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await visible(page.getByRole('button', { name: 'Log in' }));
}
