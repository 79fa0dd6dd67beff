/**
 * What the bench scripts share: one cleanup stack (everything started is stopped, also on failure), the Temporal
 * servers and the workflow bundle, a runtime logger that checks every line for the API key, and small helpers for
 * bounded waits and bounded concurrency.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import { createImportActivities, type ImportActivitiesOptions } from '../../src/activities';
import { startDevServer, type DevServer, type DevServerOptions } from '../../src/dev-server';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const testServerPath = path.join(repoRoot, '.temporal', 'bin', 'temporal-test-server');
export const temporalCliPath = path.join(repoRoot, '.temporal', 'bin', 'temporal');
const benchWorkflowsPath = path.join(repoRoot, 'bench', 'workflows.ts');

/** The key every bench configures; the secrets check searches for it. Random per process, so never a stale hit. */
export const API_KEY = `pcsk_bench_SECRET_${randomBytes(8).toString('hex')}`;

/** True when `text` holds the key (or a key given explicitly). */
export function containsKey(text: string, key = API_KEY): boolean {
  return text.includes(key);
}

/** Renders anything as searchable text: byte arrays (payloads in histories and failures) as UTF-8. */
export function searchableText(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner instanceof Uint8Array) return Buffer.from(inner).toString('utf8');
    if (typeof inner === 'bigint') return inner.toString();
    if (inner instanceof Error) return { message: inner.message, stack: inner.stack, cause: inner.cause };
    return inner;
  });
}

/** Counts every runtime log line (SDK, core, workflow and activity loggers) and keeps those that hold the key. */
export const runtimeLog = { lines: 0, leaks: [] as string[] };

const errorPrinter = new DefaultLogger('ERROR');

const runtimeLogger = new DefaultLogger('TRACE', ({ level, message, meta }) => {
  const line = searchableText({ level, message, meta });
  runtimeLog.lines += 1;
  if (containsKey(line)) runtimeLog.leaks.push(line);
  if (level === 'ERROR' && process.env.BENCH_VERBOSE === '1') errorPrinter.log(level, message, meta);
});

/** Installs the runtime once, at DEBUG, so that every line the SDK and core would write passes the key check. */
export function installRuntime(): void {
  Runtime.install({
    logger: runtimeLogger,
    telemetryOptions: { logging: { filter: { core: 'DEBUG', other: 'ERROR' }, forward: {} } },
  });
}

type Cleanup = () => Promise<void> | void;
const cleanups: Cleanup[] = [];

/** Registers `fn` to run at the end of the process's bench run, last registered first. */
export function defer(fn: Cleanup): void {
  cleanups.push(fn);
}

/** Runs every registered cleanup, each bounded to 30 s; failures are printed, not thrown. */
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await withTimeout(Promise.resolve().then(fn), 30_000, 'cleanup');
    } catch (err) {
      console.error(`cleanup failed: ${String(err)}`);
    }
  }
  for (const reset of resets) reset();
}

const resets: (() => void)[] = [];

/** Created on first use; a resource (`perPiece`) is created again after the cleanups that stopped it. */
export function memoize<T>(create: () => Promise<T>, perPiece = true): () => Promise<T> {
  let value: Promise<T> | undefined;
  if (perPiece) resets.push(() => (value = undefined));
  return () => (value ??= create());
}

/** One time-skipping test server per process, as the test harness runs it. */
export const timeSkippingEnv = memoize(async () => {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath } },
  });
  defer(() => env.teardown());
  return env;
});

export interface DevServerHandle {
  server: DevServer;
  client: Client;
  connection: Connection;
}

/** Starts a dev server (stopped at the end) and a client connection to it. */
export async function startDevServerWithClient(options: DevServerOptions = {}): Promise<DevServerHandle> {
  const server = await startDevServer({ cliPath: temporalCliPath, ...options });
  defer(() => server.stop());
  const connection = await Connection.connect({ address: server.address });
  defer(() => connection.close());
  return { server, connection, client: new Client({ connection, namespace: server.namespace }) };
}

/** The process's shared dev server, in memory, headless. */
export const sharedDevServer = memoize(() => startDevServerWithClient());

/**
 * A worker in this process on `connection`, on a fresh task queue named after `name`, serving the bench bundle and
 * the real activities made with `activities` (the bench key and loopback allowed unless overridden).
 */
export async function createBenchWorker(
  connection: NativeConnection,
  name: string,
  options: { namespace?: string; activities?: Partial<ImportActivitiesOptions> } = {},
): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = `${name}-${randomUUID()}`;
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'], ...options.activities }),
  });
  return { worker, taskQueue };
}

/** {@link createBenchWorker} on the shared dev server, with a connection of its own closed at the end. */
export async function sharedDevServerWorker(
  name: string,
  activities: Partial<ImportActivitiesOptions> = {},
): Promise<DevServerHandle & { worker: Worker; taskQueue: string }> {
  const handle = await sharedDevServer();
  const nativeConnection = await NativeConnection.connect({ address: handle.server.address });
  defer(() => nativeConnection.close());
  const created = await createBenchWorker(nativeConnection, name, { namespace: handle.server.namespace, activities });
  return { ...handle, ...created };
}

/** The package's workflows plus the bench-only naive loop, bundled once. */
export const workflowBundle = memoize(
  (): Promise<WorkflowBundle> =>
    bundleWorkflowCode({ workflowsPath: benchWorkflowsPath, logger: new DefaultLogger('WARN') }),
  false,
);

/** A temporary directory removed at the end. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `tpi-bench-${prefix}-`));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The bundle written to a file, for worker child processes (`workflowBundle: { codePath }`). */
export const workflowBundleFile = memoize(async () => {
  const file = path.join(tempDir('bundle'), 'workflows.js');
  writeFileSync(file, (await workflowBundle()).code);
  return file;
});

export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects after `ms` unless `promise` settles first. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` every `intervalMs` until it returns true; false when `timeoutMs` passes first. */
export async function waitFor(probe: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 20) {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > giveUpAt) return false;
    await sleepMs(intervalMs);
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>) {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let index = next++; index < items.length; index = next++) {
      results[index] = await fn(items[index]!, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** A small deterministic PRNG (mulberry32), so that fault mixes and schedules are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates with the given PRNG. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
