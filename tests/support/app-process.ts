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
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
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
