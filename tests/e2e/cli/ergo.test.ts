import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppProcess } from '#tests/support/app-process.ts';

/**
 * The `ergo` CLI through its real binary (node bin/ergo.mjs) against a started server (demo
 * data on embedded PGlite): login stores a token (0600), every command once with --json and once
 * failing with its documented exit code (docs/cli.md), --help.
 */

const ROOT = path.resolve(import.meta.dirname, '../../..');
const PASSWORD = 'demo-password';
let app: AppProcess;
let server = '';
const dirs: string[] = [];
/** Config dirs: the admin's, and a member's. */
let adminDir = '';
let memberDir = '';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ergo(
  args: string[],
  options: { dir?: string; input?: string; env?: Record<string, string> } = {},
): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/ergo.mjs', ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ERGO_CONFIG_DIR: options.dir ?? adminDir,
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(options.input ?? '');
    child.on('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape it expects
const json = <T = unknown>(result: Result): T => JSON.parse(result.stdout) as T;
const say = (r: Result) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

beforeAll(async () => {
  const [dataDir, a, m] = await Promise.all(
    ['ergo-cli-data-', 'ergo-cli-admin-', 'ergo-cli-member-'].map((p) =>
      mkdtemp(path.join(tmpdir(), p)),
    ),
  );
  dirs.push(dataDir ?? '', a ?? '', m ?? '');
  adminDir = path.join(a ?? '', 'ergo');
  memberDir = m ?? '';
  app = startApp({ ERGO_DATA_DIR: dataDir ?? '', PORT: '0' });
  server = await app.url();
}, 90_000);
afterAll(async () => {
  app.child.kill('SIGTERM');
  await app.exited;
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('ergo CLI', () => {
  it('--help on the program and on a command (exit 0); an unknown command is a usage error (2)', async () => {
    const [root, sub, unknown] = await Promise.all([
      ergo(['--help']),
      ergo(['audit', 'export', '--help']),
      ergo(['frobnicate']),
    ]);
    expect(root.code, say(root)).toBe(0);
    for (const name of ['login', 'members', 'sync-settings', 'sync-crm', 'bulk', 'history']) {
      expect(root.stdout).toContain(name);
    }
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--format <format>');
    expect(unknown.code).toBe(2);
  });

  it('without a login every command says so and exits 3', async () => {
    const result = await ergo(['members', 'list', '--json'], { dir: memberDir });
    expect(result.code, say(result)).toBe(3);
    expect(result.stderr).toContain('not logged in');
    expect(json<{ error: { exitCode: number } }>(result).error.exitCode).toBe(3);
  });

  it('the chain head is logged at start', () => {
    expect(app.output()).toMatch(/audit chain head/);
  });

  it('login, every command with --json and a failing case each, logout', async () => {
    const wrong = await ergo(
      ['login', '--server', server, '--email', 'admin@acme.test', '--password-stdin', '--json'],
      { input: 'wrong password\n' },
    );
    expect(wrong.code, say(wrong)).toBe(3);

    const login = await ergo(
      ['login', '--server', server, '--email', 'admin@acme.test', '--password-stdin', '--json'],
      { input: `${PASSWORD}\n` },
    );
    expect(login.code, say(login)).toBe(0);
    const file = path.join(adminDir, 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(adminDir)).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { server: string; token: string };
    expect(stored.server).toBe(server);
    expect(stored.token).toMatch(/^ergo_pat_/);
    expect(login.stdout).not.toContain(stored.token);

    const memberLogin = await ergo(
      ['login', '--server', server, '--email', 'rep5@acme.test', '--password-stdin'],
      { dir: memberDir, input: PASSWORD },
    );
    expect(memberLogin.code, say(memberLogin)).toBe(0);

    const [
      members,
      noTeam,
      preview,
      nobody,
      crm,
      primary,
      applied,
      drift,
      driftNoTeam,
      verify,
      memberVerify,
      badToken,
      badFormat,
      badLimit,
      bulkUsage,
    ] = await Promise.all([
      ergo(['members', 'list', '--team', 'Sales East', '--json']),
      ergo(['members', 'list', '--team', 'No such team', '--json']),
      ergo(['sync-settings', 'rep1@acme.test', '--dry-run', '--json']),
      ergo(['sync-settings', 'nobody@acme.test', '--json']),
      ergo(['sync-crm', 'rep2@acme.test', '--json']),
      ergo(['sync-crm', 'owner@acme.test', '--json']),
      ergo(['sync-settings', 'rep4@acme.test', '--categories', 'company_details', '--json']),
      ergo(['drift', '--team', 'Sales East', '--json']),
      ergo(['drift', '--team', 'Nowhere', '--json']),
      ergo(['audit', 'verify', '--json']),
      ergo(['audit', 'verify', '--json'], { dir: memberDir }),
      ergo(['audit', 'verify', '--json'], {
        env: { ERGO_TOKEN: 'ergo_pat_not-a-token', ERGO_SERVER: server },
      }),
      ergo(['audit', 'export', '--format', 'xml']),
      ergo(['history', '--limit', '0', '--json']),
      ergo(['bulk', 'sync-settings', '--json']),
    ]);
    expect(members.code, say(members)).toBe(0);
    expect(json<{ email: string }[]>(members).map((m) => m.email)).toContain('admin@acme.test');
    expect(noTeam.code, say(noTeam)).toBe(5);
    expect(preview.code, say(preview)).toBe(0);
    expect(json<{ dryRun: boolean; syncId: null }>(preview)).toMatchObject({ dryRun: true });
    expect(nobody.code, say(nobody)).toBe(5);
    expect(nobody.stderr).toContain('member not found');
    expect(crm.code, say(crm)).toBe(0);
    expect(json<{ syncId: string }>(crm).syncId).toEqual(expect.any(String));
    expect(primary.code, say(primary)).toBe(4);
    expect(primary.stderr).toMatch(/^forbidden: /);
    expect(applied.code, say(applied)).toBe(0);
    expect(drift.code, say(drift)).toBe(0);
    expect(Array.isArray(json(drift))).toBe(true);
    expect(driftNoTeam.code).toBe(5);
    expect(verify.code, say(verify)).toBe(0);
    expect(json<{ intact: boolean; count: number }>(verify)).toMatchObject({ intact: true });
    expect(memberVerify.code, say(memberVerify)).toBe(4);
    expect(badToken.code, say(badToken)).toBe(3);
    expect(badFormat.code).toBe(2);
    expect(badLimit.code).toBe(2);
    expect(bulkUsage.code).toBe(2);

    const syncId = json<{ syncId: string }>(applied).syncId;
    const revert = await ergo(['revert', syncId, '--json']);
    expect(revert.code, say(revert)).toBe(0);
    const output = path.join(memberDir, 'audit.csv');
    const [
      again,
      history,
      noMember,
      bulk,
      exported,
      badRevertId,
      bulkCrm,
      bulkCrmNoTeam,
      jsonl,
      memberExport,
    ] = await Promise.all([
      ergo(['revert', syncId, '--json']),
      ergo(['history', '--member', 'rep4@acme.test', '--limit', '5', '--json']),
      ergo(['history', '--member', 'ghost@acme.test']),
      ergo([
        'bulk',
        'sync-settings',
        '--members',
        'rep1@acme.test,rep3@acme.test',
        '--dry-run',
        '--json',
      ]),
      ergo(['audit', 'export', '--format', 'csv', '--output', output, '--json']),
      ergo(['revert', 'not-a-sync']),
      ergo(['bulk', 'sync-crm', '--members', 'rep3@acme.test', '--json']),
      ergo(['bulk', 'sync-crm', '--team', 'Nowhere', '--json']),
      ergo(['audit', 'export', '--format', 'jsonl']),
      ergo(['audit', 'export', '--json'], { dir: memberDir }),
    ]);
    expect(again.code, say(again)).toBe(6);
    expect(history.code, say(history)).toBe(0);
    expect(json<{ id: string }[]>(history).map((s) => s.id)).toContain(syncId);
    expect(noMember.code).toBe(5);
    expect(bulk.code, say(bulk)).toBe(0);
    expect(json<{ status: string; total: number }>(bulk)).toMatchObject({ total: 2 });
    expect(bulk.stderr).toMatch(/\[#+\] 2\/2/);
    expect(exported.code, say(exported)).toBe(0);
    const csv = await readFile(output, 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^"seq","at","action"/);
    expect(csv).toContain('sync_crm');
    expect(badRevertId.code).toBe(5);
    expect(bulkCrm.code, say(bulkCrm)).toBe(0);
    expect(json<{ action: string; total: number; applied: number }>(bulkCrm)).toMatchObject({
      action: 'sync_crm',
      total: 1,
      applied: 1,
    });
    expect(bulkCrmNoTeam.code, say(bulkCrmNoTeam)).toBe(5);
    expect(json<{ error: { title: string } }>(bulkCrmNoTeam).error.title).toBe('team not found');
    expect(jsonl.code, say(jsonl)).toBe(0);
    const entries = jsonl.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; action: string });
    expect(entries.map((e) => e.action)).toContain('sync_crm');
    expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((a, b) => a - b));
    expect(memberExport.code, say(memberExport)).toBe(4);

    const logout = await ergo(['logout', '--json']);
    expect(logout.code, say(logout)).toBe(0);
    await expect(stat(file)).rejects.toThrow();
    const [afterLogout, revoked] = await Promise.all([
      ergo(['logout']),
      ergo(['members', 'list'], { env: { ERGO_TOKEN: stored.token, ERGO_SERVER: server } }),
    ]);
    expect(afterLogout.code).toBe(3);
    // The token itself was revoked on the server, not just forgotten.
    expect(revoked.code, say(revoked)).toBe(3);
  }, 60_000);
});
