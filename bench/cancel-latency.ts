/**
 * Cancel signal to DELETE received by the emulator, on the dev server, over sequential runs.
 *
 * Clock: the emulator stamps `finishedAt` from its `clock` option at the moment it handles the DELETE of a running
 * import (the store's cancel), so with the default `Date.now` clock the latency is `finishedAt` minus `Date.now()`
 * taken just before `handle.signal(...)`, at 1 ms resolution, with no change to the emulator. Each run also checks
 * that exactly one DELETE reached the emulator and that the workflow returned `cancelled`.
 *
 * The worker runs in this process (one event loop with the emulator and the client), as a test or a small
 * deployment would run it.
 */
import { randomUUID } from 'node:crypto';
import { startPineconeEmulator } from '../src/testing';
import { API_KEY, defer, sharedDevServerWorker, waitFor, withTimeout } from './support/env';
import { metOrNot, printTable, summarize } from './support/report';
import type { BenchOptions } from './run';
import { cancelSignal, pineconeImportWorkflow, stateQuery } from './workflows';

const RUNS = 200;
const WARMUP_RUNS = 5;
const GOAL_P95_MS = 250;

export async function cancelLatency(options: BenchOptions): Promise<void> {
  const runs = options.quick ? 20 : RUNS;
  const { client, worker, taskQueue } = await sharedDevServerWorker('cancel-latency');
  const emulator = await startPineconeEmulator({ apiKey: API_KEY });
  defer(() => emulator.close());

  const latenciesMs: number[] = [];
  let deleteCountWrong = 0;
  let notCancelled = 0;
  await worker.runUntil(async () => {
    for (let run = 0; run < WARMUP_RUNS + runs; run++) {
      const uri = `s3://bench/cancel-latency/${run}/${randomUUID()}`;
      const handle = await client.workflow.start(pineconeImportWorkflow, {
        args: [{ indexHost: emulator.url, uri }],
        taskQueue,
        workflowId: `cancel-latency-${randomUUID()}`,
      });
      // Signal only once the workflow waits: its import exists and the task that started it has completed.
      const waiting = await waitFor(async () => (await handle.query(stateQuery)).phase === 'waiting', 30_000);
      if (!waiting) throw new Error(`run ${run}: the workflow never reached the waiting phase`);
      const id = emulator.imports().find((model) => model.uri === uri)?.id;
      if (id === undefined) throw new Error(`run ${run}: no import for ${uri}`);

      const signalledAtMs = Date.now();
      await handle.signal(cancelSignal, { reason: 'bench' });
      const result = await withTimeout(handle.result(), 60_000, `run ${run} result`);

      const model = emulator.imports().find((candidate) => candidate.id === id);
      const deletes = emulator.requests().filter((request) => request.method === 'DELETE');
      if (deletes.filter((request) => request.path === `/bulk/imports/${id}`).length !== 1) deleteCountWrong += 1;
      if (result.outcome !== 'cancelled') notCancelled += 1;
      if (run >= WARMUP_RUNS) latenciesMs.push(Date.parse(model?.finishedAt ?? '') - signalledAtMs);
    }
  });

  const stats = summarize(latenciesMs);
  printTable(
    `Cancel signal -> DELETE handled by the emulator (dev server, ${stats.count} runs after ${WARMUP_RUNS} warm-up)`,
    ['p50', 'p95', 'max', 'mean', 'runs not exactly one DELETE', 'runs not cancelled', `goal p95 <= ${GOAL_P95_MS} ms`],
    [
      [
        `${stats.p50} ms`,
        `${stats.p95} ms`,
        `${stats.max} ms`,
        `${stats.mean.toFixed(1)} ms`,
        deleteCountWrong,
        notCancelled,
        metOrNot(stats.p95 <= GOAL_P95_MS && deleteCountWrong === 0 && notCancelled === 0),
      ],
    ],
  );
}
