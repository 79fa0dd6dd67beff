/**
 * Runs the package's entry points (`src/cli.ts`, `src/worker.ts`) as child processes through ts-node, the way
 * `npm start` and the `bin` do, with a clean environment: no HOME, so no user Temporal config file is read.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves once the process has exited. */
  finished(): Promise<Finished>;
}

/** Starts `entry` (a path under src/) with `args` and the given environment variables only (plus PATH). */
export function spawnEntry(entry: string, args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, ['-r', 'ts-node/register', path.join(repoRoot, entry), ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // 'close', not 'exit': the output is complete only once the streams have closed.
  const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;

  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForLine(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = stdout.match(pattern);
          if (match === null) return;
          cleanup();
          resolve(match);
        };
        const onExit = (): void => {
          cleanup();
          reject(new Error(`exited before printing ${String(pattern)}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          child.stdout.off('data', check);
          child.off('exit', onExit);
        };
        child.stdout.on('data', check);
        child.once('exit', onExit);
        check();
      });
    },
    async finished() {
      const [code, signal] = await closed;
      return { code, signal, stdout, stderr };
    },
  };
}

/** Runs `src/cli.ts` with `args` to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return spawnEntry('src/cli.ts', args, env).finished();
}
