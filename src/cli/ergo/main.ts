import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { homedir, hostname } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError, Option } from 'commander';
import { ApiProblem, createTokenWithPassword, ErgoClient, type BulkRun } from './client.ts';

/**
 * The `ergo` CLI (issue 15, docs/cli.md): everything the Admin console does, over the API with a
 * personal API token. Every command takes `--json`; exit codes are documented in docs/cli.md.
 */

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  unauthenticated: 3,
  forbidden: 4,
  notFound: 5,
  conflict: 6,
} as const;

/** A failure of the CLI's own (not a server problem), with its exit code. */
class CliError extends Error {
  constructor(
    readonly exitCode: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(`${title}: ${detail}`);
  }
}

interface Stored {
  server: string;
  token: string;
  tokenId?: string;
  email?: string;
}

function configDir(): string {
  if (process.env.ERGO_CONFIG_DIR) return process.env.ERGO_CONFIG_DIR;
  const base = process.env.XDG_CONFIG_HOME || path.join(homedir(), '.config');
  return path.join(base, 'ergo');
}
const configFile = () => path.join(configDir(), 'config.json');

async function readConfig(): Promise<Stored | undefined> {
  try {
    return JSON.parse(await readFile(configFile(), 'utf8')) as Stored;
  } catch {
    return undefined;
  }
}

async function writeConfig(stored: Stored): Promise<void> {
  await mkdir(configDir(), { recursive: true, mode: 0o700 });
  await chmod(configDir(), 0o700);
  await writeFile(configFile(), `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  await chmod(configFile(), 0o600);
}

/** The client: ERGO_TOKEN + ERGO_SERVER when set, else the stored login; exit 3 otherwise. */
async function client(): Promise<ErgoClient> {
  const token = process.env.ERGO_TOKEN;
  if (token) {
    const server = process.env.ERGO_SERVER ?? (await readConfig())?.server;
    if (!server) throw new CliError(EXIT.usage, 'no server', 'Set ERGO_SERVER with ERGO_TOKEN.');
    return new ErgoClient(server, token);
  }
  const stored = await readConfig();
  if (!stored) {
    throw new CliError(EXIT.unauthenticated, 'not logged in', 'Run `ergo login` first.');
  }
  return new ErgoClient(process.env.ERGO_SERVER ?? stored.server, stored.token);
}

// --- output -------------------------------------------------------------------------------------

let jsonOutput = false;

function print(json: unknown, human: () => string): void {
  process.stdout.write(jsonOutput ? `${JSON.stringify(json, null, 2)}\n` : `${human()}\n`);
}

/** A plain table: columns padded to their widest cell. */
function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '(none)';
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

// --- lookups ------------------------------------------------------------------------------------

async function teamIdOf(api: ErgoClient, team: string): Promise<string> {
  const teams = await api.teams();
  const found =
    teams.find((t) => t.id === team) ??
    teams.find((t) => t.name.toLowerCase() === team.trim().toLowerCase());
  if (!found) throw new CliError(EXIT.notFound, 'team not found', `No team "${team}".`);
  return found.id;
}

async function allMembers(api: ErgoClient, query: { team?: string; q?: string }) {
  const rows = [];
  let cursor: string | undefined;
  do {
    const page = await api.members({ ...query, ...(cursor ? { cursor } : {}) });
    rows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return rows;
}

/** Finds a member of the organization by email (the API's member search, then an exact match). */
async function memberByEmail(api: ErgoClient, email: string) {
  const wanted = email.trim().toLowerCase();
  const found = (await allMembers(api, { q: wanted })).find(
    (m) => m.email.toLowerCase() === wanted,
  );
  if (!found) {
    throw new CliError(
      EXIT.notFound,
      'member not found',
      `No member with the email ${email} in your organization.`,
    );
  }
  return found;
}

const categoryList = (value: string | undefined) =>
  value
    ?.split(',')
    .map((c) => c.trim())
    .filter(Boolean);

function progressBar(run: BulkRun): string {
  const width = 30;
  const filled = run.total === 0 ? width : Math.round((run.done / run.total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${run.done}/${run.total} ${run.status}`;
}

// --- commands -----------------------------------------------------------------------------------

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  if (!process.stdin.isTTY) {
    throw new CliError(
      EXIT.usage,
      'no password',
      'Give --password-stdin when stdin is not a terminal.',
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stderr.write('Password: ');
  muted._writeToOutput = () => undefined;
  const password = await rl.question('');
  rl.close();
  process.stderr.write('\n');
  return password;
}

function build(): Command {
  const program = new Command('ergo')
    .description(
      'Ergo Admin from the command line: members, Sync Settings, Sync CRM, bulk runs, history, drift and the audit log.',
    )
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const command = (parent: Command, name: string, description: string) =>
    parent
      .command(name)
      .description(description)
      .option('--json', 'machine-readable JSON on stdout')
      .exitOverride();

  command(program, 'login', 'Log in and store a personal API token in your config directory')
    .option('--server <url>', 'the Ergo server', process.env.ERGO_SERVER ?? 'http://127.0.0.1:3000')
    .option('--email <email>', 'your email')
    .option('--password-stdin', 'read the password from stdin')
    .action(async (opts: { server: string; email?: string; passwordStdin?: boolean }) => {
      let email = opts.email;
      if (!email) {
        if (!process.stdin.isTTY) throw new CliError(EXIT.usage, 'no email', 'Give --email.');
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        email = await rl.question('Email: ');
        rl.close();
      }
      const password = await readPassword(opts.passwordStdin ?? false);
      const created = await createTokenWithPassword(
        opts.server,
        { email, password },
        `ergo CLI on ${hostname()}`,
      );
      await writeConfig({
        server: opts.server,
        token: created.token,
        tokenId: created.apiToken.id,
        email: created.user.email,
      });
      print(
        {
          server: opts.server,
          user: created.user,
          apiToken: created.apiToken,
          config: configFile(),
        },
        () =>
          `Logged in to ${opts.server} as ${created.user.email} (token saved in ${configFile()}).`,
      );
    });

  command(program, 'logout', 'Revoke the stored token and delete the config').action(async () => {
    const stored = await readConfig();
    if (!stored)
      throw new CliError(EXIT.unauthenticated, 'not logged in', 'Nothing to log out of.');
    if (stored.tokenId) {
      await new ErgoClient(stored.server, stored.token)
        .revokeToken(stored.tokenId)
        .catch((e: unknown) => {
          // A token already revoked or expired: the config still goes.
          if (!(e instanceof ApiProblem && e.status === 401)) throw e;
        });
    }
    await rm(configFile(), { force: true });
    print({ loggedOut: true }, () => 'Logged out: the token is revoked and the config deleted.');
  });

  const members = program
    .command('members')
    .description('Members of your organization')
    .exitOverride();
  command(members, 'list', 'List members (all, or one team)')
    .option('--team <name|id>', 'only this team')
    .action(async (opts: { team?: string }) => {
      const api = await client();
      const team = opts.team === undefined ? undefined : await teamIdOf(api, opts.team);
      const rows = await allMembers(api, team ? { team } : {});
      print(rows, () =>
        table(
          ['NAME', 'EMAIL', 'ROLE', 'STATUS', 'TEAMS'],
          rows.map((m) => [
            m.name,
            m.email,
            m.role,
            m.status,
            m.teams.map((t) => t.name).join(', '),
          ]),
        ),
      );
    });

  command(program, 'sync-settings', 'Sync Settings to User: copy your settings to a member')
    .argument('<email>', "the member's email")
    .option(
      '--categories <keys>',
      'comma-separated category keys (default: all but email_templates)',
    )
    .option('--dry-run', 'preview only: what would change')
    .action(async (email: string, opts: { categories?: string; dryRun?: boolean }) => {
      const api = await client();
      const member = await memberByEmail(api, email);
      const categories = categoryList(opts.categories);
      const result = await api.syncSettings(member.id, {
        ...(categories ? { categories } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
      });
      print(result, () =>
        [
          `${result.dryRun ? 'Preview of Sync Settings' : 'Sync Settings'} to ${member.email}${result.syncId ? ` (sync ${result.syncId})` : ''}:`,
          table(
            ['CATEGORY', 'STATUS', 'ADDED', 'UPDATED', 'REMOVED', 'UNCHANGED'],
            result.categories.map((c) => [
              c.label,
              c.status,
              String(c.counts.added),
              String(c.counts.updated),
              String(c.counts.removed),
              String(c.counts.unchanged),
            ]),
          ),
        ].join('\n'),
      );
    });

  command(program, 'sync-crm', "Sync CRM: copy the organization admin's CRM keys to a member")
    .argument('<email>', "the member's email")
    .action(async (email: string) => {
      const api = await client();
      const member = await memberByEmail(api, email);
      const result = await api.syncCrm(member.id);
      print(result, () =>
        [
          `Sync CRM to ${member.email} (sync ${result.syncId}): ${result.message}`,
          table(
            ['CRM', 'OWNER', 'OWNER PROPERTY'],
            result.crms.map((c) => [c.label, c.owner.status, c.ownerProperty.status]),
          ),
        ].join('\n'),
      );
    });

  const bulk = program
    .command('bulk')
    .description('Sync Settings or Sync CRM for a team or a selection')
    .exitOverride();
  for (const [name, action] of [
    ['sync-settings', 'sync_settings'],
    ['sync-crm', 'sync_crm'],
  ] as const) {
    const sub = command(
      bulk,
      name,
      `Bulk ${name === 'sync-crm' ? 'Sync CRM' : 'Sync Settings'}: a background run, with progress`,
    )
      .option('--team <name|id>', 'every member of this team')
      .option('--members <emails>', 'comma-separated member emails')
      .option('--dry-run', 'preview only');
    if (action === 'sync_settings')
      sub.option('--categories <keys>', 'comma-separated category keys');
    sub.action(
      async (opts: { team?: string; members?: string; categories?: string; dryRun?: boolean }) => {
        if ((opts.team === undefined) === (opts.members === undefined)) {
          throw new CliError(EXIT.usage, 'usage', 'Give exactly one of --team or --members.');
        }
        const api = await client();
        const categories = categoryList(opts.categories);
        const target =
          opts.team !== undefined
            ? { teamId: await teamIdOf(api, opts.team) }
            : {
                memberIds: await Promise.all(
                  (categoryList(opts.members) ?? []).map(
                    async (e) => (await memberByEmail(api, e)).id,
                  ),
                ),
              };
        const started = await api.startBulk({
          action,
          ...target,
          ...(categories ? { categories } : {}),
          ...(opts.dryRun ? { dryRun: true } : {}),
        });
        const run = await api.followBulk(started.id, (progress) => {
          process.stderr.write(`\r${progressBar(progress)}`);
        });
        process.stderr.write('\n');
        print(
          run,
          () =>
            `Bulk run ${run.id} ${run.status}: ${run.applied} changed, ${run.unchanged} unchanged, ${run.failed} failed, ${run.cancelled} cancelled.`,
        );
        if (run.failed > 0) process.exitCode = EXIT.failure;
      },
    );
  }

  command(program, 'history', 'Sync history, newest first')
    .option('--member <email>', 'only syncs to this member')
    .addOption(new Option('--limit <n>', 'how many').argParser(positiveInt).default(20))
    .action(async (opts: { member?: string; limit: number }) => {
      const api = await client();
      const memberId =
        opts.member === undefined ? undefined : (await memberByEmail(api, opts.member)).id;
      const page = await api.history({ ...(memberId ? { memberId } : {}), limit: opts.limit });
      print(page.items, () =>
        table(
          ['SYNC', 'WHEN', 'ACTION', 'STATUS', 'BY', 'TO', 'CATEGORIES'],
          page.items.map((s) => [
            s.id,
            s.createdAt,
            s.action,
            s.status,
            s.actorName ?? '',
            s.targetName ?? '',
            s.categories.join(','),
          ]),
        ),
      );
    });

  command(program, 'revert', "Revert a sync: restore the member's previous values")
    .argument('<syncId>', 'the sync (see `ergo history`)')
    .action(async (syncId: string) => {
      const result = await (await client()).revert(syncId);
      print(
        result,
        () =>
          `Reverted sync ${result.revertedSyncId} (revert ${result.syncId}): ${result.categories.join(', ')}.`,
      );
    });

  command(program, 'drift', 'Which members differ from your settings, per category')
    .option('--team <name|id>', 'only this team (default: every team)')
    .action(async (opts: { team?: string }) => {
      const api = await client();
      const teamIds =
        opts.team === undefined
          ? (await api.teams()).map((t) => t.id)
          : [await teamIdOf(api, opts.team)];
      const seen = new Map<
        string,
        { email: string; name: string; driftCount: number; differs: string[] }
      >();
      for (const teamId of teamIds) {
        let cursor: string | undefined;
        do {
          const page = await api.teamMembers(teamId, {
            driftFrom: 'me',
            ...(cursor ? { cursor } : {}),
          });
          for (const m of page.items) {
            if (!m.drift || seen.has(m.id)) continue;
            seen.set(m.id, {
              email: m.email,
              name: m.name,
              driftCount: m.driftCount ?? 0,
              differs: Object.entries(m.drift)
                .filter(([, s]) => s === 'differs')
                .map(([c]) => c),
            });
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      }
      const rows = [...seen.values()];
      print(rows, () =>
        table(
          ['NAME', 'EMAIL', 'DIFFERS', 'CATEGORIES'],
          rows.map((r) => [r.name, r.email, String(r.driftCount), r.differs.join(',')]),
        ),
      );
    });

  const audit = program.command('audit').description('The audit log').exitOverride();
  command(audit, 'export', 'Download the audit log (oldest first)')
    .option('--since <iso>', 'entries at or after this time')
    .option('--until <iso>', 'entries before this time')
    .addOption(
      new Option('--format <format>', 'jsonl or csv').choices(['jsonl', 'csv']).default('jsonl'),
    )
    .option('--output <file>', 'write to this file (default: stdout)')
    .action(
      async (opts: {
        since?: string;
        until?: string;
        format: 'jsonl' | 'csv';
        output?: string;
      }) => {
        const api = await client();
        const { body, head } = await api.auditExport({
          format: opts.format,
          ...(opts.since ? { since: opts.since } : {}),
          ...(opts.until ? { until: opts.until } : {}),
        });
        const source = Readable.fromWeb(body as Parameters<typeof Readable.fromWeb>[0]);
        if (opts.output) {
          await pipeline(source, createWriteStream(opts.output));
          const [seq, hash] = (head ?? '').split(' ');
          if (jsonOutput)
            print(
              { output: opts.output, format: opts.format, head: { seq: Number(seq), hash } },
              () => '',
            );
          else
            process.stderr.write(`Wrote ${opts.output}; chain head ${seq ?? '?'} ${hash ?? ''}\n`);
        } else {
          // The export itself is the machine-readable output (JSON Lines or CSV).
          await pipeline(source, process.stdout, { end: false });
        }
      },
    );

  command(audit, 'verify', 'Verify the audit chain (exit 1 when broken)').action(async () => {
    const result = await (await client()).auditVerify();
    print(result, () =>
      result.intact
        ? `Intact through entry ${result.checkedThrough} (${result.count} entries). Head: ${result.head.seq} ${result.head.hash}`
        : `BROKEN at entry ${result.brokenAt ?? '?'} (${result.reason ?? ''}); intact through entry ${result.checkedThrough}.`,
    );
    if (!result.intact) process.exitCode = EXIT.failure;
  });

  return program;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 200) {
    throw new CliError(EXIT.usage, 'usage', '--limit takes a whole number from 1 to 200.');
  }
  return n;
}

function exitCodeOf(error: ApiProblem): number {
  if (error.status === 401) return EXIT.unauthenticated;
  if (error.status === 403) return EXIT.forbidden;
  if (error.status === 404) return EXIT.notFound;
  if (error.status === 400 || error.status === 422) return EXIT.usage;
  if (error.status === 409 || error.status === 410) return EXIT.conflict;
  return EXIT.failure;
}

export async function run(argv: string[]): Promise<number> {
  jsonOutput = argv.includes('--json');
  try {
    await build().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help asked for: 0; a group without its subcommand (help shown) or a bad option: 2.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    const [code, title, detail, problemCode] =
      error instanceof ApiProblem
        ? [exitCodeOf(error), error.title, error.detail, error.code]
        : error instanceof CliError
          ? [error.exitCode, error.title, error.detail, undefined]
          : [
              EXIT.failure,
              'error',
              error instanceof Error ? error.message : String(error),
              undefined,
            ];
    process.stderr.write(`${title}: ${detail}\n`);
    if (jsonOutput) {
      process.stdout.write(
        `${JSON.stringify({ error: { title, detail, code: problemCode ?? null, exitCode: code } })}\n`,
      );
    }
    return code;
  }
}

process.exitCode = await run(process.argv.slice(2));
