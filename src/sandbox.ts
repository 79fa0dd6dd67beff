/**
 * The local sandbox behind `npm start` when nothing is configured: Temporal's dev server with its Web UI, the
 * Pinecone emulator with imports progressing on a wall-clock schedule, the worker, and one sample import started
 * through the client helper. Everything binds 127.0.0.1; Ctrl-C (or SIGTERM) stops it all and exits 0. The dev
 * server keeps its database in a file, so workflow history survives a restart.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { cancelImportWorkflow, DEFAULT_TASK_QUEUE, IMPORT_WORKFLOW_TYPE, startImportWorkflow } from './client';
import type { LogLevel } from './config';
import { startPineconeEmulator, type PineconeEmulator } from './testing';
import { accepts, startDevServer } from './dev-server';
import { createImportWorker, installRuntime } from './worker';

const packageRoot = path.resolve(__dirname, '..');

export interface SandboxOptions {
  /** The Temporal CLI. Default: `TEMPORAL_CLI_PATH`, else `.temporal/bin/temporal` (left by `setup:temporal`). */
  temporalCliPath?: string;
  /** The dev server's SQLite file. Default `.temporal/sandbox.db`. */
  dbFile?: string;
  /** Dev server gRPC port, default 7233. */
  port?: number;
  /** Web UI port, default 8233. */
  uiPort?: number;
  /**
   * Emulator port, default 5081. Fixed, because the index host is part of each workflow's input: a workflow left
   * running by an earlier sandbox must reach the emulator at the same address after a restart.
   */
  emulatorPort?: number;
  taskQueue?: string;
  /** Wall-clock time from creation to `Completed` for every import the emulator holds; default 2 minutes. */
  completeAfterMs?: number;
  /** Time an import stays `Pending`; default 10 seconds. */
  startAfterMs?: number;
  /** Upper bound between the sample workflow's status checks; default '10 seconds' so progress shows. */
  pollInterval?: Duration;
  /** Default 'INFO'. */
  logLevel?: LogLevel;
  /** Where the sandbox prints its banner; default stdout. */
  print?: (line: string) => void;
}

const SANDBOX_API_KEY = 'sandbox-not-a-secret';
const LEFTOVER_WAIT_MS = 30_000;

/**
 * Runs the sandbox until SIGINT or SIGTERM, then stops the worker, the emulator and the dev server, in that order,
 * and resolves. Rejects when the dev server cannot start (port taken, CLI missing) or dies while running.
 */
export async function runSandbox(options: SandboxOptions = {}): Promise<void> {
  const settings = withDefaults(options);
  installRuntime({ logLevel: settings.logLevel });
  const stack: (() => Promise<void>)[] = [];
  try {
    mkdirSync(path.dirname(settings.dbFile), { recursive: true });
    const pidFile = `${settings.dbFile}.server-pid`;
    await stopAbandonedServer(pidFile, settings.dbFile, [settings.port, settings.uiPort]);
    const server = await startDevServer({
      cliPath: settings.temporalCliPath,
      port: settings.port,
      uiPort: settings.uiPort,
      dbFilename: settings.dbFile,
      logFile: path.join(path.dirname(settings.dbFile), 'sandbox-server.log'),
      logLevel: 'warn',
      detached: true,
    });
    stack.push(() => server.stop());
    writeFileSync(pidFile, String(server.pid));
    stack.push(() => Promise.resolve(rmSync(pidFile, { force: true })));
    let serverDied: string | undefined;
    const emulator = await startPineconeEmulator({
      port: settings.emulatorPort,
      apiKey: SANDBOX_API_KEY,
      progress: { completeAfterMs: settings.completeAfterMs, startAfterMs: settings.startAfterMs },
    });
    stack.push(() => emulator.close());

    const { address } = server;
    const nativeConnection = await NativeConnection.connect({ address });
    stack.push(() => nativeConnection.close());
    const worker = await createImportWorker({
      connection: nativeConnection,
      taskQueue: settings.taskQueue,
      activities: { apiKey: SANDBOX_API_KEY, allowedHosts: ['127.0.0.1', 'localhost'] },
    });
    server.onUnexpectedExit((description) => {
      serverDied = description;
      worker.shutdown();
    });

    const connection = await Connection.connect({ address });
    stack.push(() => connection.close());
    const client = new Client({ connection });
    await runSample(client, worker, emulator, settings);
    if (serverDied !== undefined) throw new Error(serverDied);
  } finally {
    for (const stop of stack.reverse()) await stop();
  }
}

/**
 * A sandbox killed outright (SIGKILL, a closed terminal's lost session) cannot stop the dev server it started in its
 * own process group; that server keeps the port and the database. The pid file left beside the database names it:
 * when that process is still a dev server on this database (checked in /proc, so a reused pid is never hit), it
 * is stopped before the new one starts. Elsewhere the new server's start fails with a clear "port in use" error.
 */
async function stopAbandonedServer(pidFile: string, dbFile: string, ports: readonly number[]): Promise<void> {
  let pid: number;
  let commandLine: string[];
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return;
  }
  if (!commandLine.includes('start-dev') || !commandLine.includes(dbFile)) return;
  Runtime.instance().logger.warn('Stopping the Temporal dev server an earlier sandbox left running', { pid });
  for (const [signal, waitMs] of [['SIGTERM', 10_000] as const, ['SIGKILL', 5_000] as const]) {
    if (!isAlive(pid)) return;
    process.kill(pid, signal);
    const giveUpAt = Date.now() + waitMs;
    while (isAlive(pid) && Date.now() < giveUpAt) await sleep(100);
  }
  if (isAlive(pid)) throw new Error(`the dev server an earlier sandbox left running (pid ${pid}) did not stop`);
  // The kernel may close its listening sockets a moment after the last thread is gone.
  const portsFreeBy = Date.now() + 10_000;
  for (const port of ports) {
    while ((await accepts('127.0.0.1', port)) && Date.now() < portsFreeBy) {
      await sleep(100);
    }
  }
}

/**
 * True while any thread of `pid` runs. A thread that has exited but not been reaped (state `Z`) holds nothing; but a
 * process shows as a zombie as soon as its main thread exits, while its other threads may still run and hold its
 * ports, so every thread in `/proc/<pid>/task` is looked at.
 */
function isAlive(pid: number): boolean {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return threads.some((tid) => {
    try {
      return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  });
}

type Settings = Required<Omit<SandboxOptions, 'print'>> & { print: (line: string) => void };

function withDefaults(options: SandboxOptions): Settings {
  const dataDir = path.join(packageRoot, '.temporal');
  return {
    temporalCliPath: options.temporalCliPath ?? process.env.TEMPORAL_CLI_PATH ?? path.join(dataDir, 'bin', 'temporal'),
    dbFile: options.dbFile ?? path.join(dataDir, 'sandbox.db'),
    port: options.port ?? 7233,
    uiPort: options.uiPort ?? 8233,
    emulatorPort: options.emulatorPort ?? 5081,
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    completeAfterMs: options.completeAfterMs ?? 120_000,
    startAfterMs: options.startAfterMs ?? 10_000,
    pollInterval: options.pollInterval ?? '10 seconds',
    logLevel: options.logLevel ?? 'INFO',
    print: options.print ?? ((line) => console.log(line)),
  };
}

/**
 * Runs the worker; meanwhile cancels what an earlier sandbox left running, starts the sample and prints how to
 * reach it. Resolves when the worker has stopped.
 */
async function runSample(client: Client, worker: Worker, emulator: PineconeEmulator, settings: Settings) {
  let stopped = false;
  const running = worker.run().finally(() => {
    stopped = true;
  });
  try {
    await cancelLeftovers(client, settings.taskQueue, () => stopped);
    if (stopped) return await running;
    const handle = await startImportWorkflow(
      client,
      {
        indexHost: emulator.url,
        uri: `s3://sandbox-samples/${new Date().toISOString()}/`,
        timeout: '1 hour',
        pollInterval: settings.pollInterval,
      },
      { taskQueue: settings.taskQueue },
    );
    printBanner(settings, handle.workflowId);
  } catch (error) {
    worker.shutdown();
    await running;
    throw error;
  }
  await running;
}

/**
 * The emulator keeps imports in memory, so imports that an earlier sandbox left running are gone, and their ids
 * will be handed out again: their workflows would wait for nothing, or worse, watch and cancel this run's imports.
 * The cancel signal lets each one finish on its own terms (the emulator answers 404 to the DELETE, which the
 * workflow records as nothing left to cancel); the sample starts only after they have ended, or after a bounded wait.
 */
async function cancelLeftovers(client: Client, taskQueue: string, stopped: () => boolean): Promise<void> {
  const logger = Runtime.instance().logger;
  const query =
    `WorkflowType = '${IMPORT_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' ` + `AND TaskQueue = '${taskQueue}'`;
  const leftovers: string[] = [];
  for await (const execution of client.workflow.list({ query })) {
    await cancelImportWorkflow(client, execution.workflowId, 'sandbox restarted: its emulator forgot this import');
    logger.info('Cancelling a workflow left by an earlier sandbox', { workflowId: execution.workflowId });
    leftovers.push(execution.workflowId);
  }
  // Short describe calls rather than waiting on `result()`: a long poll still open at shutdown would outlive the
  // connection it runs on.
  const giveUpAt = Date.now() + LEFTOVER_WAIT_MS;
  for (const workflowId of leftovers) {
    while ((await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING') {
      if (stopped()) return;
      if (Date.now() > giveUpAt) {
        logger.warn('A workflow left by an earlier sandbox is still running; starting anyway', { workflowId });
        return;
      }
      await sleep(250);
    }
  }
}

function printBanner(settings: Settings, workflowId: string): void {
  // Run from the sources (`npm start`) or from the build (`npx temporal-pinecone-import sandbox`).
  const cli = __filename.endsWith('.ts') ? 'npx ts-node src/cli.ts' : 'npx temporal-pinecone-import';
  const temporal = path.relative(process.cwd(), settings.temporalCliPath).startsWith('..')
    ? settings.temporalCliPath
    : path.relative(process.cwd(), settings.temporalCliPath);
  const address = `--address 127.0.0.1:${settings.port}`;
  const lines = [
    '',
    'Pinecone import sandbox is running (Ctrl-C stops everything).',
    `  Temporal Web UI:  http://127.0.0.1:${settings.uiPort}`,
    `  Temporal server:  127.0.0.1:${settings.port} (history kept in ${settings.dbFile})`,
    `  Task queue:       ${settings.taskQueue}`,
    `  Sample workflow:  ${workflowId}`,
    `  Its import completes about ${Math.round(settings.completeAfterMs / 1000)} s after it starts.`,
    '',
    "Inspect or cancel it with this package's CLI:",
    `  TEMPORAL_ADDRESS=127.0.0.1:${settings.port} ${cli} status ${workflowId}`,
    `  TEMPORAL_ADDRESS=127.0.0.1:${settings.port} ${cli} cancel ${workflowId} --reason "changed my mind"`,
    'or with the temporal CLI:',
    `  ${temporal} workflow query ${address} --workflow-id ${workflowId} --name state`,
    `  ${temporal} workflow signal ${address} --workflow-id ${workflowId} --name cancel \\`,
    `      --input '{"reason":"changed my mind"}'`,
    '',
  ];
  for (const line of lines) settings.print(line);
}
