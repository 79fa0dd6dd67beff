/**
 * Worker killed with SIGKILL mid-run, and restarted: a dev server persisting to SQLite in a temporary directory, a
 * worker in a child process, 200 import workflows (some starts losing their response). The first worker is killed
 * while the imports are being started; the dev server is then stopped and started again on the same database and
 * port; a second worker is killed while cancels are in flight; a third finishes the run. Counted: workflows that
 * did not finish, duplicate imports, imports left running, and the key in histories, the children's log lines and
 * the workflows' failures.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../src/dev-server';
import { startPineconeEmulator } from '../src/testing';
import {
  API_KEY,
  containsKey,
  defer,
  mapLimit,
  sleepMs,
  temporalCliPath,
  tempDir,
  waitFor,
  workflowBundleFile,
} from './support/env';
import { metOrNot, printTable } from './support/report';
import { duplicateImports, isTerminal, outcomeOf, searchHistories, tally } from './support/soak';
import { startWorkerChild, type WorkerProcess } from './support/worker-process';
import type { BenchOptions } from './run';
import { cancelSignal, pineconeImportWorkflow } from './workflows';

const WORKFLOWS = 200;
const REQUEST_TIMEOUT_MS = 2_000;

export async function sigkillSoak(options: BenchOptions): Promise<void> {
  const count = options.quick ? 40 : WORKFLOWS;
  const dbFilename = path.join(tempDir('sigkill-db'), 'temporal.db');
  const emulator = await startPineconeEmulator({ apiKey: API_KEY });
  defer(() => emulator.close());
  // Some starts lose their response after the import was created, and some answers come late: retries reconcile.
  emulator.fail({ method: 'POST', afterEffect: true, times: Math.ceil(count / 10) });
  emulator.fail({ method: 'POST', delayMs: 300, times: count });

  let server = await startDevServer({ cliPath: temporalCliPath, dbFilename });
  defer(() => server.stop());
  const port = Number(server.address.split(':')[1]);
  let connection = await Connection.connect({ address: server.address });
  let client = new Client({ connection, namespace: server.namespace });
  const taskQueue = `sigkill-${randomUUID()}`;
  const bundlePath = await workflowBundleFile();
  const startWorker = (): Promise<WorkerProcess> =>
    startWorkerChild({
      address: server.address,
      namespace: server.namespace,
      taskQueue,
      bundlePath,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
  const workers: WorkerProcess[] = [await startWorker()];

  const runs = Array.from({ length: count }, (_, i) => ({
    workflowId: `sigkill-${i}-${randomUUID().slice(0, 8)}`,
    uri: `s3://bench/sigkill/${i}/${randomUUID()}/`,
    plan: i % 2 === 0 ? ('complete' as const) : ('signal' as const),
  }));
  const startedAt = Date.now();
  await mapLimit(runs, 20, (run) =>
    client.workflow.start(pineconeImportWorkflow, {
      args: [{ indexHost: emulator.url, uri: run.uri, timeout: '30 minutes', pollInterval: '2 seconds' }],
      taskQueue,
      workflowId: run.workflowId,
    }),
  );

  // Kill 1: once a third of the imports exist, with starts still in flight.
  await waitFor(() => emulator.imports().length >= count / 3, 120_000, 10);
  const importsAtKill1 = emulator.imports().length;
  await workers[0]!.kill();

  // The server restarts from its database, on the same port.
  await connection.close();
  await server.stop();
  server = await startDevServer({ cliPath: temporalCliPath, dbFilename, port });
  defer(() => server.stop());
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace });
  defer(() => connection.close());
  workers.push(await startWorker());

  // Wait (bounded) until every import exists; starts held by the killed worker wait out their start-to-close.
  const allStarted = await waitFor(
    () => runs.every((run) => emulator.imports().some((model) => model.uri === run.uri)),
    300_000,
    200,
  );
  const importsByUri = (uri: string) => emulator.imports().find((model) => model.uri === uri);
  for (const run of runs.filter((candidate) => candidate.plan === 'complete')) {
    const model = importsByUri(run.uri);
    if (model !== undefined && !isTerminal(model)) emulator.setStatus(model.id, 'Completed');
  }
  // Cancels answer slowly, so that the second kill finds DELETEs in flight.
  emulator.fail({ method: 'DELETE', delayMs: 500, times: count });
  await mapLimit(
    runs.filter((run) => run.plan === 'signal'),
    20,
    (run) => client.workflow.getHandle(run.workflowId).signal(cancelSignal, { reason: 'sigkill soak' }),
  );

  // Kill 2: once a quarter of the cancels have reached the emulator.
  const deletes = (): number => emulator.requests().filter((request) => request.method === 'DELETE').length;
  await waitFor(() => deletes() >= count / 8, 120_000, 10);
  const deletesAtKill2 = deletes();
  await workers[1]!.kill();
  await sleepMs(1_000);
  workers.push(await startWorker());

  const outcomes = await mapLimit(runs, 50, (run) =>
    outcomeOf(client.workflow.getHandle(run.workflowId), Math.max(1_000, startedAt + 540_000 - Date.now())),
  );
  const wallMs = Date.now() - startedAt;
  await workers[2]!.stop();

  const unfinished = outcomes.filter((outcome) => outcome.outcome === 'open').length;
  const duplicates = duplicateImports(
    emulator,
    runs.map((run) => run.uri),
  );
  const stillRunning = emulator.imports().filter((model) => !isTerminal(model)).length;
  const wrong = runs.filter((run, i) => {
    const outcome = outcomes[i]!.outcome;
    return run.plan === 'complete' ? outcome !== 'completed' : !['cancelled', 'completed'].includes(outcome);
  }).length;
  const histories = await searchHistories(
    client,
    runs.map((run) => run.workflowId),
  );
  const logLines = workers.reduce((sum, worker) => sum + worker.logLines(), 0);
  const logLeaks = workers.reduce((sum, worker) => sum + worker.leaks.length, 0);
  const failureLeaks = outcomes.filter((outcome) => containsKey(outcome.text)).length;

  printTable(
    `SIGKILL soak: ${count} workflows, worker child killed twice, dev server restarted on its SQLite database`,
    ['measure', 'value', 'goal'],
    [
      ['wall time', `${(wallMs / 1000).toFixed(1)} s`, ''],
      ['imports existing at kill 1 (during starts)', `${importsAtKill1} / ${count}`, ''],
      ['every import started after the restart', allStarted ? 'yes' : 'no', ''],
      ['DELETEs received at kill 2 (during cancels)', deletesAtKill2, ''],
      ['outcomes', tally(outcomes.map((outcome) => outcome.outcome)), ''],
      ['workflows not finished', unfinished, `0: ${metOrNot(unfinished === 0)}`],
      ['workflows with an unexpected outcome', wrong, `0: ${metOrNot(wrong === 0)}`],
      ['duplicate imports', duplicates, `0: ${metOrNot(duplicates === 0)}`],
      ['imports still running at the end', stillRunning, `0: ${metOrNot(stillRunning === 0)}`],
      [
        'key in histories / worker log lines / failures',
        `${histories.leaks} of ${histories.runs} runs / ${logLeaks} of ${logLines} lines / ${failureLeaks}`,
        `0: ${metOrNot(histories.leaks + logLeaks + failureLeaks === 0)}`,
      ],
    ],
  );
}
