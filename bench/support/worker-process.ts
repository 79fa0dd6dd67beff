/** Starts ./worker-child.ts as a child process and keeps what it reports: memory samples and log lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { API_KEY, containsKey, defer, memoize, repoRoot, tempDir, withTimeout } from './env';
import type { WorkerChildMessage, WorkerChildSettings } from './worker-child';

export interface WorkerProcess {
  pid: number;
  /** Every `process.memoryUsage().rss` the child reported, oldest first. */
  rssSamples: number[];
  /** Log lines the child wrote, and those that held the key. */
  logLines: () => number;
  leaks: string[];
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (the worker drains), SIGKILL after 20 s; waits for the exit. */
  stop(): Promise<void>;
}

/**
 * The child compiled to JavaScript once per bench process, so that the worker's memory is a deployed worker's, not
 * ts-node's and the TypeScript compiler's (about 100 MB more).
 */
const compiledChild = memoize(async () => {
  const outDir = tempDir('worker-child');
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, '--outDir', outDir, '--rootDir', repoRoot, '--module', 'commonjs', '--target', 'ES2022'];
  args.push('--esModuleInterop', '--skipLibCheck', '--resolveJsonModule', '--types', 'node');
  args.push(path.join(repoRoot, 'bench', 'support', 'worker-child.ts'));
  const compiler = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  const [code] = (await once(compiler, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`compiling the worker child failed with exit code ${code}`);
  return path.join(outDir, 'bench', 'support', 'worker-child.js');
});

export async function startWorkerChild(settings: WorkerChildSettings): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, [await compiledChild()], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_PATH: path.join(repoRoot, 'node_modules'),
      BENCH_WORKER: JSON.stringify(settings),
      BENCH_API_KEY: API_KEY,
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const rssSamples: number[] = [];
  const leaks: string[] = [];
  let lines = 0;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines += 1;
    if (containsKey(line)) leaks.push(line);
  });

  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  async function signalAndWait(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    if (gone()) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  const handle: WorkerProcess = {
    pid: child.pid ?? -1,
    rssSamples,
    leaks,
    logLines: () => lines,
    kill: () => signalAndWait('SIGKILL', 0),
    stop: () => signalAndWait('SIGTERM', 20_000),
  };
  defer(() => handle.stop());

  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: WorkerChildMessage) => {
      if (message.type === 'ready') resolve();
      if (message.type === 'memory') rssSamples.push(message.rss);
      if (message.type === 'failed') reject(new Error(`worker child failed: ${message.error}`));
    });
    void exited.then(() => reject(new Error('worker child exited before it was ready')));
  });
  await withTimeout(ready, 90_000, 'worker child start');
  return handle;
}
