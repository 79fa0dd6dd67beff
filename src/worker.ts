/**
 * The worker: `pineconeImportWorkflow` plus the four import activities on one task queue.
 *
 * `createImportWorker` builds one on a connection you own (tests, the sandbox, your own process);
 * `runConfiguredWorker` is the whole process: configuration from the environment, the runtime's logger and
 * optional Prometheus metrics, connect, poll until SIGINT or SIGTERM, then drain and return. Run directly
 * (`node lib/worker.js`, `npm start`) this module picks the sandbox or the worker by what is configured.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { createImportActivities, type ImportActivitiesOptions } from './activities';
import { DEFAULT_TASK_QUEUE } from './client';
import { chooseStartMode, ConfigError, loadWorkerConfig, type LogLevel, type WorkerConfig } from './config';

export interface ImportWorkerOptions {
  connection: NativeConnection;
  /** Default `'default'`. */
  namespace?: string;
  /** Default {@link DEFAULT_TASK_QUEUE}. */
  taskQueue?: string;
  /** The Pinecone key and limits the activities use; the key stays in this process. */
  activities: ImportActivitiesOptions;
  /** A prebuilt bundle (from `bundleWorkflowCode`); default: bundle `./workflows` at creation. */
  workflowBundle?: WorkflowBundle;
}

/**
 * Time running activities get to finish after a shutdown signal before they are cancelled. Every activity is one
 * HTTP request bounded by its own timeout (30 s by default), and Temporal retries a cancelled one elsewhere.
 */
export const SHUTDOWN_GRACE_TIME = '10 seconds';

/**
 * Creates a worker serving `pineconeImportWorkflow` and the import activities. Users running their own worker do
 * the same: register `createImportActivities(...)` and include `temporal-pinecone-import/workflows` in the
 * workflows they bundle. Nothing is polled until `run()`.
 */
export async function createImportWorker(options: ImportWorkerOptions): Promise<Worker> {
  const workflows = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : { workflowsPath: require.resolve('./workflows') };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    activities: createImportActivities(options.activities),
    shutdownGraceTime: SHUTDOWN_GRACE_TIME,
    ...workflows,
  });
}

/**
 * Installs the process-wide Temporal runtime: its logger at `logLevel`, Prometheus metrics when an address is
 * given, and worker shutdown on SIGINT and SIGTERM. Once per process, before any connection is made.
 */
export function installRuntime(options: { logLevel: LogLevel; prometheusAddress?: string }): void {
  Runtime.install({
    logger: new DefaultLogger(options.logLevel),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: options.prometheusAddress
      ? { metrics: { prometheus: { bindAddress: options.prometheusAddress } } }
      : {},
  });
}

/**
 * The production worker process: installs the runtime, connects with the envconfig settings, polls until SIGINT or
 * SIGTERM, lets running activities finish (or cancels them after {@link SHUTDOWN_GRACE_TIME}), closes the
 * connection and resolves. Rejects when the connection or the worker fails.
 */
export async function runConfiguredWorker(config: WorkerConfig): Promise<void> {
  installRuntime(config);
  const logger = Runtime.instance().logger;
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  try {
    const worker = await createImportWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      activities: config.pinecone,
    });
    logger.info('Worker polling', {
      address: config.temporal.connectionOptions.address,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      allowedHosts: config.pinecone.allowedHosts ?? 'default (*.pinecone.io)',
      prometheus: config.prometheusAddress ?? 'off',
    });
    await worker.run();
    logger.info('Worker stopped');
  } finally {
    await connection.close();
  }
}

/**
 * `npm start`: the local sandbox when neither a Temporal address nor a Pinecone key is configured, the worker when
 * both are, and an error naming the missing one otherwise. Resolves with the process exit code.
 */
export async function startFromEnvironment(env: Record<string, string | undefined> = process.env): Promise<number> {
  return runReportingConfigErrors(async () => {
    if (chooseStartMode(env) === 'worker') {
      await runConfiguredWorker(loadWorkerConfig(env));
      return;
    }
    const { runSandbox } = await import('./sandbox');
    await runSandbox();
  });
}

/** Runs `body`; a configuration error is printed as its list of problems (exit 2), any other failure exits 1. */
export async function runReportingConfigErrors(body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  }
}

if (require.main === module) {
  void startFromEnvironment().then((code) => process.exit(code));
}
