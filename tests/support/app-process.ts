import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface AppProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** The URL the server printed, once it is listening. */
  url: () => Promise<string>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Starts the real entry point (`npm start` runs the same command) as a child process. */
export function startApp(env: Record<string, string>): AppProcess {
  return startProcess('src/main.ts', env);
}

/** Starts a worker-only process as `npm run worker` does; `ready()` resolves once it works. */
export function startWorker(
  env: Record<string, string>,
): AppProcess & { ready: () => Promise<void> } {
  const proc = startProcess('src/worker.ts', env);
  return {
    ...proc,
    ready: () =>
      waitFor(() => /worker is running/.test(proc.output()), 60_000, 'the worker', proc.output),
  };
}

function startProcess(entry: string, env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      resolve(code);
    }),
  );
  const read = () => output;
  return {
    child,
    output: read,
    exited,
    url: async () => {
      const pattern = /is running at (http:\/\/127\.0\.0\.1:\d+)/;
      await waitFor(() => pattern.test(output), 60_000, 'the server', read);
      return pattern.exec(output)?.[1] ?? '';
    },
  };
}

export async function waitFor(
  predicate: () => boolean,
  timeoutMs: number,
  what: string,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
