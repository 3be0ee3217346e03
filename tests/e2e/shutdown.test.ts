import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startApp } from '#tests/support/app-process.ts';

/**
 * Issue 9.9, on the real process: SIGTERM under load lets requests in flight finish, refuses
 * the rest, exits 0, and leaves nothing half-written: after a restart the member's history holds
 * exactly the syncs that were answered 200.
 */
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const ENV = { ERGO_DEMO: '1', ERGO_CRM_EMULATORS: '0', PORT: '0', LOG_LEVEL: 'warn' };

async function login(url: string): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@acme.test', password: 'demo-password' }),
  });
  expect(response.status).toBe(200);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const body = (await response.json()) as { csrfToken: string };
  return { cookie, csrf: body.csrfToken };
}

async function memberId(url: string, cookie: string): Promise<string> {
  const teams = (await (await fetch(`${url}/api/teams`, { headers: { cookie } })).json()) as {
    id: string;
  }[];
  const page = (await (
    await fetch(`${url}/api/teams/${teams[0]?.id}/members`, { headers: { cookie } })
  ).json()) as { items: { id: string; role: string; hasDashboard: boolean }[] };
  const member = page.items.find((m) => m.role === 'member' && m.hasDashboard);
  if (!member) throw new Error('no member with a dashboard in the demo team');
  return member.id;
}

describe('SIGTERM', () => {
  it('under load: requests in flight finish, the rest are refused, exit 0, nothing half-written', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ergo-shutdown-'));
    dirs.push(dataDir);
    const first = startApp({ ...ENV, ERGO_DATA_DIR: dataDir });
    const url = await first.url();
    const { cookie, csrf } = await login(url);
    const target = await memberId(url, cookie);

    const outcomes = Array.from({ length: 30 }, () =>
      fetch(`${url}/api/members/${target}/sync-settings`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ categories: ['company_details', 'task_settings'] }),
      }).then(
        async (r) => ({ status: r.status, code: ((await r.json()) as { code?: string }).code }),
        () => ({ status: 0, code: 'connection_refused' }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 15));
    first.child.kill('SIGTERM');
    const results = await Promise.all(outcomes);
    expect(await first.exited).toBe(0);

    for (const r of results) {
      if (r.status === 200 || r.status === 0) continue;
      expect(r).toEqual({ status: 503, code: 'service_unavailable' });
    }
    const ok = results.filter((r) => r.status === 200).length;
    expect(ok).toBeGreaterThan(0);

    const second = startApp({ ...ENV, ERGO_DATA_DIR: dataDir });
    try {
      const again = await second.url();
      const agent = await login(again);
      const history = (await (
        await fetch(`${again}/api/syncs?memberId=${target}&limit=200`, {
          headers: { cookie: agent.cookie },
        })
      ).json()) as { items: { status: string }[] };
      expect(history.items.filter((i) => i.status === 'applied')).toHaveLength(ok);
      expect(history.items.filter((i) => i.status === 'failed')).toHaveLength(0);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 120_000);
});
