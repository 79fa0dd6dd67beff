#!/usr/bin/env node
/**
 * `temporal-pinecone-import`: run the worker or the local sandbox, and start, cancel or inspect imports.
 * Temporal connection settings come from the environment and profiles through `@temporalio/envconfig`, as for the
 * `temporal` CLI. Exit codes: 0 success, 1 the operation failed, 2 bad usage or configuration.
 */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { cancelImportWorkflow, DEFAULT_TASK_QUEUE, getImportState, startImportWorkflow } from './client';
import { ConfigError, loadWorkerConfig } from './config';
import type { ImportWorkflowInput } from './types';
import { runConfiguredWorker } from './worker';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

interface StartOptions {
  indexHost: string;
  uri?: string;
  importId?: string;
  deadline?: string;
  timeout?: Duration;
  pollInterval?: Duration;
  errorMode?: 'abort' | 'continue';
  integrationId?: string;
  workflowId?: string;
  taskQueue: string;
  wait?: boolean;
}

interface SandboxCliOptions {
  port: number;
  uiPort: number;
  emulatorPort: number;
  dbFile?: string;
  taskQueue: string;
  completeAfter: number;
}

/** Builds the command tree; `run` parses and executes it. Exported for tests. */
export function buildProgram(): Command {
  const program = new Command('temporal-pinecone-import')
    .description('Pinecone bulk imports run by Temporal: worker, sandbox, and import commands')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('worker')
    .description('Run the worker (needs TEMPORAL_ADDRESS or a profile, and PINECONE_API_KEY); Ctrl-C stops it')
    .action(async () => runConfiguredWorker(loadWorkerConfig()));

  program
    .command('sandbox')
    .description('Run the local sandbox: dev server with Web UI, Pinecone emulator, worker and a sample import')
    .addOption(new Option('--port <port>', 'dev server gRPC port').argParser(parsePort).default(7233))
    .addOption(new Option('--ui-port <port>', 'Web UI port').argParser(parsePort).default(8233))
    .addOption(new Option('--emulator-port <port>', 'Pinecone emulator port').argParser(parsePort).default(5081))
    .option('--db-file <path>', 'dev server database file (default .temporal/sandbox.db)')
    .option('--task-queue <name>', 'task queue', DEFAULT_TASK_QUEUE)
    .addOption(
      new Option('--complete-after <duration>', 'wall-clock time each import takes, e.g. 30s or "2 minutes"')
        .argParser(parseDurationMs)
        .default(120_000, '2 minutes'),
    )
    .action(async (options: SandboxCliOptions) => {
      const { runSandbox } = await import('./sandbox');
      await runSandbox({
        port: options.port,
        uiPort: options.uiPort,
        emulatorPort: options.emulatorPort,
        taskQueue: options.taskQueue,
        completeAfterMs: options.completeAfter,
        startAfterMs: Math.min(10_000, Math.floor(options.completeAfter / 4)),
        ...(options.dbFile === undefined ? {} : { dbFile: options.dbFile }),
      });
    });

  program
    .command('start')
    .description('Start an import workflow, or join the one already running for the same index and uri')
    .requiredOption('--index-host <host>', 'index host, e.g. name-abc.svc.region.pinecone.io')
    .option('--uri <uri>', 's3://, gs:// or https:// location of the Parquet files')
    .option('--import-id <id>', 'adopt an import that is already running instead of starting one')
    .option('--deadline <instant>', 'ISO-8601 instant after which the import is cancelled')
    .option('--timeout <duration>', 'deadline relative to the start, e.g. "6 hours" (default 24 hours)', checkDuration)
    .option('--poll-interval <duration>', 'upper bound between status checks', checkDuration)
    .addOption(new Option('--error-mode <mode>', 'what a bad record does').choices(['abort', 'continue']))
    .option('--integration-id <id>', 'Pinecone storage integration id')
    .option('--workflow-id <id>', 'workflow id (default: derived from index host and uri)')
    .option('--task-queue <name>', 'task queue', DEFAULT_TASK_QUEUE)
    .option('--wait', 'wait for the result and print it')
    .action(async (options: StartOptions) => {
      if (options.uri === undefined && options.importId === undefined) {
        throw new UsageError('start needs --uri, or --import-id to adopt a running import');
      }
      const input = toWorkflowInput(options);
      await withClient(async (client) => {
        const handle = await startImportWorkflow(client, input, {
          taskQueue: options.taskQueue,
          ...(options.workflowId === undefined ? {} : { workflowId: options.workflowId }),
        });
        console.log(handle.workflowId);
        if (options.wait) console.log(JSON.stringify(await handle.result(), null, 2));
      });
    });

  program
    .command('cancel')
    .description('Cancel an import: the workflow deletes the import and ends with outcome "cancelled"')
    .argument('<workflowId>', 'the import workflow id')
    .option('--reason <text>', 'kept in the workflow result and shown in the UI')
    .action(async (workflowId: string, options: { reason?: string }) => {
      await withClient((client) => cancelImportWorkflow(client, workflowId, options.reason));
      console.log(`Cancel requested for ${workflowId}`);
    });

  program
    .command('status')
    .description('Print the state of an import workflow (the "state" query) as JSON')
    .argument('<workflowId>', 'the import workflow id')
    .action(async (workflowId: string) => {
      const state = await withClient((client) => getImportState(client, workflowId));
      console.log(JSON.stringify(state, null, 2));
    });

  return program;
}

/** Parses `argv` (as `process.argv`), runs the command, and resolves with the exit code; errors go to stderr. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    return exitCodeFor(error);
  }
}

class UsageError extends Error {}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help) already.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof ConfigError) {
    console.error(error.message);
    return EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    console.error(`error: ${error.message}`);
    return EXIT_USAGE;
  }
  if (error instanceof WorkflowNotFoundError) {
    console.error(`error: ${error.message}`);
    return EXIT_FAILED;
  }
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  return EXIT_FAILED;
}

async function withClient<T>(body: (client: Client) => Promise<T>): Promise<T> {
  const config = (() => {
    try {
      return loadClientConnectConfig();
    } catch (error) {
      throw new ConfigError([`the Temporal client configuration could not be loaded: ${(error as Error).message}`]);
    }
  })();
  const connection = await Connection.connect(config.connectionOptions);
  try {
    return await body(new Client({ connection, namespace: config.namespace ?? 'default' }));
  } finally {
    await connection.close();
  }
}

function toWorkflowInput(options: StartOptions): ImportWorkflowInput {
  const input: ImportWorkflowInput = { indexHost: options.indexHost, uri: options.uri ?? '' };
  if (options.importId !== undefined) input.importId = options.importId;
  if (options.deadline !== undefined) input.deadline = checkInstant(options.deadline);
  if (options.timeout !== undefined) input.timeout = options.timeout;
  if (options.pollInterval !== undefined) input.pollInterval = options.pollInterval;
  if (options.errorMode !== undefined) input.errorMode = options.errorMode;
  if (options.integrationId !== undefined) input.integrationId = options.integrationId;
  return input;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError('not a port (1-65535)');
  return port;
}

function parseDurationMs(value: string): number {
  return msToNumber(checkDuration(value));
}

function checkDuration(value: string): Duration {
  let ms: number;
  try {
    ms = msToNumber(value as Duration);
  } catch {
    throw new InvalidArgumentError('not a duration, e.g. 30s, "10 minutes", "6 hours"');
  }
  if (!(ms > 0)) throw new InvalidArgumentError('must be longer than zero');
  return value as Duration;
}

function checkInstant(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(`--deadline '${value}' is not an ISO-8601 instant, e.g. 2030-01-31T18:00:00Z`);
  }
  return value;
}

if (require.main === module) {
  void run(process.argv).then((code) => process.exit(code));
}
