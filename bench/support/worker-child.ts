/**
 * A worker in its own process, for the benches that measure a worker's memory or kill it with SIGKILL. Started by
 * `startWorkerChild` (./worker-process.ts) with its settings in `BENCH_WORKER` (JSON) and the key in
 * `BENCH_API_KEY`. It serves the bench bundle and the real activities, writes every runtime log line to stdout as
 * one JSON line, reports `ready` and then its memory every 250 ms over IPC, and drains and exits on SIGTERM.
 */
import type { LogLevel } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createImportActivities } from '../../src/activities';

export interface WorkerChildSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  bundlePath: string;
  requestTimeoutMs?: number;
  logLevel?: LogLevel;
}

/** Messages the child sends over IPC. */
export type WorkerChildMessage =
  { type: 'ready' } | { type: 'memory'; rss: number; heapUsed: number } | { type: 'failed'; error: string };

function printable(value: unknown): unknown {
  if (value instanceof Error) return { message: value.message, stack: value.stack, cause: value.cause };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function send(message: WorkerChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.BENCH_WORKER ?? '{}') as WorkerChildSettings;
  const apiKey = process.env.BENCH_API_KEY ?? '';
  const minLevel = settings.logLevel ?? 'INFO';
  Runtime.install({
    logger: new DefaultLogger(minLevel, ({ level, message, meta }) => {
      process.stdout.write(`${JSON.stringify({ level, message, meta }, (_key, value: unknown) => printable(value))}\n`);
    }),
    shutdownSignals: ['SIGTERM', 'SIGINT'],
    telemetryOptions: { logging: { filter: { core: minLevel, other: 'ERROR' }, forward: {} } },
  });
  const connection = await NativeConnection.connect({ address: settings.address });
  try {
    const worker = await Worker.create({
      connection,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      workflowBundle: { codePath: settings.bundlePath },
      activities: createImportActivities({
        apiKey,
        allowedHosts: ['127.0.0.1'],
        ...(settings.requestTimeoutMs !== undefined ? { requestTimeoutMs: settings.requestTimeoutMs } : {}),
      }),
    });
    const sampler = setInterval(() => {
      const { rss, heapUsed } = process.memoryUsage();
      send({ type: 'memory', rss, heapUsed });
    }, 250);
    send({ type: 'ready' });
    await worker.run();
    clearInterval(sampler);
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    send({ type: 'failed', error: String(err) });
    console.error(err);
    process.exit(1);
  },
);
