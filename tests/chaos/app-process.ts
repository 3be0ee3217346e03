import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A real Ergo Admin process, started exactly as `npm start` runs it (`node --import tsx
 * src/main.ts`, spawned from this very Node binary, never through `npx tsx`, which leaves the
 * server orphaned when its parent is killed). PORT=0: the app picks a free port and prints
 * "is running at http://…", which is how we learn its URL.
 */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * Where the app under test lives: this repository, or CHAOS_APP_ROOT (another checkout with its
 * node_modules, e.g. an older commit, to see which rows it fails).
 */
export const APP_ROOT = process.env.CHAOS_APP_ROOT ?? REPO_ROOT;

const START_TIMEOUT_MS = 60_000;
const OUTPUT_TAIL = 4_000;

/** Every process any scenario started; killed on the way out whatever happens. */
const live = new Set<ChildProcess>();

export function killAllApps(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

/** PGlite data dirs of this run: removed at the end, or on the way out after a crash. */
const tempDirs = new Set<string>();

export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export function removeTempDirsSync(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

export function randomSecretKey(): string {
  return randomBytes(32).toString('base64');
}

export interface AppProcess {
  url: string;
  pid: number;
  /** Milliseconds from spawn to the "is running at" line. */
  startMs: number;
  alive(): boolean;
  /** The last few KB of stdout+stderr, for failure messages. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The environment of a chaos app: demo data, a random secret key, any free port, warnings only,
 * no in-process CRM emulators (no scenario runs Sync CRM).
 */
export function appEnv(overrides: Record<string, string>): Record<string, string> {
  return {
    ERGO_DEMO: '1',
    ERGO_CRM_EMULATORS: '0',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
    ERGO_SECRET_KEY: randomSecretKey(),
    ...overrides,
  };
}

export async function startApp(env: Record<string, string>, label: string): Promise<AppProcess> {
  const started = performance.now();
  // Only what the app needs from our environment: never an inherited DATABASE_URL or PORT.
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: APP_ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let tail = '';
  const append = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label}: no "is running at" line within ${START_TIMEOUT_MS} ms\n${tail}`));
    }, START_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      append(chunk);
      stdout += chunk.toString('utf8');
      const match = /is running at (http:\/\/[^\s)]+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr.on('data', append);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${label}: exited (${code ?? signal ?? '?'}) before listening\n${tail}`));
    });
  });
  const startMs = performance.now() - started;
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    url,
    pid: child.pid ?? -1,
    startMs,
    alive,
    output: () => tail,
    async kill(signal = 'SIGKILL') {
      if (!alive()) return;
      child.kill(signal);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (alive()) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    exited,
  };
}
