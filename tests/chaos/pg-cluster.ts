import { execFile, execFileSync } from 'node:child_process';
import { chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL cluster owned by the chaos run: initdb into a mktemp directory, trust
 * auth on 127.0.0.1 only, fsync off (like .ci/run). Never the machine's own server. As root the
 * binaries run as the `postgres` OS user (`su postgres`), as .ci/run does; otherwise directly.
 */
export interface PgCluster {
  port: number;
  dir: string;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  urlFor(database: string): string;
  createDatabase(prefix: string): Promise<string>;
  /** A short-lived admin query on the `postgres` database. */
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** `pg_ctl -m fast stop`: the server ends every connection, like a restart does. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Immediate stop and rm -rf; safe to call twice. */
  destroy(): Promise<void>;
}

const PG_USER = 'postgres';

export async function findPgBin(): Promise<string> {
  const root = '/usr/lib/postgresql';
  let versions: string[];
  try {
    versions = await readdir(root);
  } catch {
    throw new Error(`PostgreSQL binaries not found under ${root} (apt-get install postgresql)`);
  }
  const sorted = versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number.parseFloat(a) - Number.parseFloat(b));
  const newest = sorted.at(-1);
  if (!newest) throw new Error(`PostgreSQL binaries not found under ${root}`);
  return join(root, newest, 'bin');
}

/** A TCP port on 127.0.0.1 that nothing listens on now, starting the search at `from`. */
export async function freePort(from: number, tries = 50): Promise<number> {
  for (let port = from; port < from + tries; port += 1) {
    const ok = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => {
        resolve(false);
      });
      server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
        server.close(() => {
          resolve(true);
        });
      });
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${from}..${from + tries - 1}`);
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const isRoot = process.getuid?.() === 0;

/** Clusters not yet destroyed: the watchdog stops them synchronously on a hard stop. */
const running = new Map<string, { pgCtl: string; data: string; dir: string }>();

export function destroyAllClustersSync(): void {
  for (const [key, c] of running) {
    const args = ['-D', c.data, '-m', 'immediate', '-w', 'stop'];
    try {
      if (isRoot) {
        execFileSync(
          'su',
          [PG_USER, '-s', '/bin/sh', '-c', [c.pgCtl, ...args].map(shellQuote).join(' ')],
          {
            timeout: 15_000,
            stdio: 'ignore',
          },
        );
      } else execFileSync(c.pgCtl, args, { timeout: 15_000, stdio: 'ignore' });
    } catch {
      // already stopped
    }
    try {
      execFileSync('rm', ['-rf', c.dir], { timeout: 15_000, stdio: 'ignore' });
    } catch {
      // best effort
    }
    running.delete(key);
  }
}

/** Runs a PostgreSQL binary, as the postgres OS user when we are root. */
function runPg(bin: string, args: string[], timeoutMs: number): Promise<string> {
  const [file, argv] = isRoot
    ? ['su', [PG_USER, '-s', '/bin/sh', '-c', [bin, ...args].map(shellQuote).join(' ')]]
    : [bin, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${bin.split('/').at(-1) ?? bin} failed: ${error.message}\n${stderr}`));
      } else resolve(stdout);
    });
  });
}

export async function startPgCluster(options: {
  portFrom: number;
  label: string;
}): Promise<PgCluster> {
  const binDir = await findPgBin();
  const port = await freePort(options.portFrom);
  const dir = await mkdtemp(join(tmpdir(), `ergo-chaos-pg-${options.label}-`));
  if (isRoot) {
    const { uid, gid } = await postgresIds();
    await chown(dir, uid, gid);
  }
  await chmod(dir, 0o700);
  const data = join(dir, 'data');
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  running.set(dir, { pgCtl: join(binDir, 'pg_ctl'), data, dir });
  await runPg(
    join(binDir, 'initdb'),
    ['-D', data, '--auth=trust', `--username=${PG_USER}`, '-E', 'UTF8'],
    60_000,
  );
  const start = async (): Promise<void> => {
    await runPg(
      join(binDir, 'pg_ctl'),
      ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', '-o', serverOptions, 'start'],
      40_000,
    );
  };
  await start();
  let destroyed = false;
  const urlFor = (database: string): string =>
    `postgres://${PG_USER}@127.0.0.1:${port}/${database}`;
  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
    const client = new pg.Client({
      connectionString: urlFor('postgres'),
      connectionTimeoutMillis: 5_000,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  return {
    port,
    dir,
    urlFor,
    async createDatabase(prefix) {
      const name = `${prefix}_${Math.random().toString(36).slice(2, 8)}`.replace(
        /[^a-z0-9_]/g,
        '_',
      );
      await query(`create database ${name}`);
      return name;
    },
    query,
    async stop() {
      await runPg(
        join(binDir, 'pg_ctl'),
        ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'],
        40_000,
      );
    },
    start,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      running.delete(dir);
      await runPg(
        join(binDir, 'pg_ctl'),
        ['-D', data, '-m', 'immediate', '-w', 'stop'],
        20_000,
      ).catch(() => undefined);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const out = await new Promise<string>((resolve, reject) => {
    execFile('id', [PG_USER], (error, stdout) => {
      if (error) reject(new Error(`no ${PG_USER} OS user: ${error.message}`));
      else resolve(stdout);
    });
  });
  const uid = /uid=(\d+)/.exec(out)?.[1];
  const gid = /gid=(\d+)/.exec(out)?.[1];
  if (!uid || !gid) throw new Error(`cannot read the ids of ${PG_USER}: ${out}`);
  return { uid: Number(uid), gid: Number(gid) };
}
