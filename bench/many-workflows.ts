/**
 * One worker with 1,000 live import workflows on the dev server: time to start them all (every import created at
 * the emulator and every workflow waiting), time to cancel them all with the `cancel` signal (every workflow closed
 * `cancelled`, every import Cancelled), and the worker's RSS. The worker is a child process, so that its
 * `process.memoryUsage().rss` (sampled every 250 ms) is the worker's alone, not the emulator's or the client's.
 */
import { randomUUID } from 'node:crypto';
import { startPineconeEmulator } from '../src/testing';
import { API_KEY, defer, mapLimit, sharedDevServer, waitFor, workflowBundleFile } from './support/env';
import { mb, metOrNot, printTable } from './support/report';
import { startWorkerChild } from './support/worker-process';
import type { BenchOptions } from './run';
import { cancelSignal, pineconeImportWorkflow, stateQuery } from './workflows';

const WORKFLOWS = 1_000;
/** Client calls in flight at once. */
const CONCURRENCY = 50;
const GOAL_RSS_BYTES = 600 * 1024 * 1024;

export async function manyWorkflows(options: BenchOptions): Promise<void> {
  const count = options.quick ? 100 : WORKFLOWS;
  const { client, server } = await sharedDevServer();
  const emulator = await startPineconeEmulator({ apiKey: API_KEY });
  defer(() => emulator.close());
  const taskQueue = `many-${randomUUID()}`;
  const worker = await startWorkerChild({
    address: server.address,
    namespace: server.namespace,
    taskQueue,
    bundlePath: await workflowBundleFile(),
  });
  await waitFor(() => worker.rssSamples.length > 0, 5_000);
  const idleRss = worker.rssSamples.at(-1) ?? NaN;
  const prefix = `many-${randomUUID().slice(0, 8)}`;
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

  const startedAt = Date.now();
  const handles = await mapLimit(ids, CONCURRENCY, (workflowId) =>
    client.workflow.start(pineconeImportWorkflow, {
      args: [{ indexHost: emulator.url, uri: `s3://bench/${workflowId}/` }],
      taskQueue,
      workflowId,
    }),
  );
  const startCallsMs = Date.now() - startedAt;
  const allCreated = await waitFor(() => emulator.imports().length >= count, 300_000, 100);
  const importsCreatedMs = Date.now() - startedAt;
  const waiting = await mapLimit(handles, CONCURRENCY, async (handle) =>
    waitFor(async () => (await handle.query(stateQuery)).phase === 'waiting', 120_000, 200),
  );
  const allWaitingMs = Date.now() - startedAt;
  const rssAllLive = worker.rssSamples.at(-1) ?? NaN;

  const cancelStartedAt = Date.now();
  await mapLimit(handles, CONCURRENCY, (handle) => handle.signal(cancelSignal, { reason: 'bench' }));
  const signalCallsMs = Date.now() - cancelStartedAt;
  const results = await mapLimit(handles, CONCURRENCY, (handle) => handle.result());
  const allClosedMs = Date.now() - cancelStartedAt;
  const cancelledWorkflows = results.filter((result) => result.outcome === 'cancelled').length;
  const cancelledImports = emulator.imports().filter((model) => model.status === 'Cancelled').length;
  const duplicates = emulator.imports().length - new Set(emulator.imports().map((model) => model.uri)).size;
  const maxRss = Math.max(...worker.rssSamples);
  await worker.stop();

  const allHandled = allCreated && waiting.every(Boolean) && cancelledWorkflows === count && cancelledImports === count;
  printTable(
    `${count.toLocaleString('en-US')} live import workflows on one worker (child process, dev server)`,
    ['measure', 'value'],
    [
      ['start calls returned (client, 50 in flight)', `${(startCallsMs / 1000).toFixed(1)} s`],
      ['every import created at the emulator', `${(importsCreatedMs / 1000).toFixed(1)} s`],
      ['every workflow in phase waiting', `${(allWaitingMs / 1000).toFixed(1)} s`],
      ['cancel signal calls returned', `${(signalCallsMs / 1000).toFixed(1)} s`],
      ['every workflow closed after the first signal', `${(allClosedMs / 1000).toFixed(1)} s`],
      ['workflows returning cancelled', `${cancelledWorkflows} / ${count}`],
      ['imports Cancelled at the emulator', `${cancelledImports} / ${emulator.imports().length}`],
      ['duplicate imports', duplicates],
      ['worker RSS idle (before starts)', mb(idleRss)],
      ['worker RSS with all live', mb(rssAllLive)],
      [`worker RSS max (${worker.rssSamples.length} samples)`, mb(maxRss)],
      ['goal: all handled, RSS <= 600 MB', metOrNot(allHandled && duplicates === 0 && maxRss <= GOAL_RSS_BYTES)],
    ],
  );
}
