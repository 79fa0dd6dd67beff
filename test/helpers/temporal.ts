/**
 * The Temporal side of the test harness: one time-skipping environment and one workflow bundle per test run,
 * a dev server for the tests that need a full server, and a worker per test on its own task queue.
 * Everything is created on first use and torn down once by the root hooks.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Runtime, DefaultLogger, Worker, type WorkflowBundle } from '@temporalio/worker';
import { startDevServer, type DevServerOptions } from '../../src/dev-server';
import { onTeardown } from './teardown';

const repoRoot = path.resolve(__dirname, '..', '..');

/** Left by `npm run setup:temporal`, which `npm test` runs first. */
export const testServerPath = path.join(repoRoot, '.temporal', 'bin', 'temporal-test-server');
export const temporalCliPath = path.join(repoRoot, '.temporal', 'bin', 'temporal');

/** The workflows every test worker serves: the package's own plus the harness's. */
const testWorkflowsPath = path.join(repoRoot, 'test', 'workflows', 'index.ts');

// Tests provoke failures on purpose; the SDK's warnings about them would bury the test report. Errors still show.
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
});

function memoize<T>(create: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= create());
}

/** The run's single time-skipping environment. */
export const timeSkippingEnv = memoize(async () => {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath } },
  });
  onTeardown(() => env.teardown());
  return env;
});

/**
 * The run's single dev server (the Temporal CLI's `server start-dev`), with the Web UI on 127.0.0.1:8233 and the
 * workflow's optional search attributes registered.
 */
export const devServerEnv = memoize(() =>
  startDevServerEnv({
    uiPort: 8233,
    searchAttributes: ['PineconeImportId=Keyword', 'PineconeImportStatus=Keyword', 'PineconeIndexHost=Keyword'],
  }),
);

/**
 * Starts another dev server, torn down with the run. Prefer {@link devServerEnv}. The harness starts the server
 * itself (not `TestWorkflowEnvironment.createLocal`) so that a loaded machine gets more than the SDK's 5 s.
 */
export async function startDevServerEnv(options: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  const server = await startDevServer({ cliPath: temporalCliPath, ...options });
  onTeardown(() => server.stop());
  const env = await TestWorkflowEnvironment.createFromExistingServer({
    address: server.address,
    namespace: server.namespace,
  });
  onTeardown(() => env.teardown());
  return env;
}

/** The workflow bundle, built once and reused by every worker of the run. */
export const workflowBundle = memoize((): Promise<WorkflowBundle> =>
  bundleWorkflowCode({ workflowsPath: testWorkflowsPath, logger: quietBundlerLogger }),
);

const quietBundlerLogger = new DefaultLogger('WARN');

/** A task queue no other test uses, named after the test for readable server-side traces. */
export function uniqueTaskQueue(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40);
  return `${slug}-${randomUUID().slice(0, 8)}`;
}

export interface WorkerRunOptions {
  taskQueue: string;
  activities?: object;
}

/** Runs a worker on `env` for the duration of `fn`, then shuts it down and waits for it. */
export async function withWorker<T>(
  env: TestWorkflowEnvironment,
  options: WorkerRunOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: options.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: options.activities,
  });
  return worker.runUntil(fn);
}
