/**
 * History events per import for 1-hour, 24-hour and 7-day imports at the default poll interval, the package's
 * workflow next to the naive timer-plus-regular-activity loop, in the time-skipping test server with the real
 * activities against the emulator.
 */
import { randomUUID } from 'node:crypto';
import { startPineconeEmulator } from '../src/testing';
import { countHistoryEventsPerRun } from '../test/helpers/history';
import { API_KEY, createBenchWorker, defer, timeSkippingEnv, waitFor, withTimeout } from './support/env';
import { metOrNot, printTable, type Cell } from './support/report';
import type { BenchOptions } from './run';
import { DEFAULT_POLL_INTERVAL, naivePollingWorkflow, pineconeImportWorkflow } from './workflows';

/** Temporal's default per-workflow history warning (`limit.historyCount.warn`) and hard limit. */
const SERVER_WARN_EVENTS = 10_240;
const SERVER_LIMIT_EVENTS = 51_200;
const DURATIONS = [
  { label: '1 h', duration: '1 hour' },
  { label: '24 h', duration: '24 hours' },
  { label: '7 d', duration: '7 days' },
] as const;

export async function historyEvents(options: BenchOptions): Promise<void> {
  const env = await timeSkippingEnv();
  let clockOffsetMs = 0;
  const emulator = await startPineconeEmulator({ apiKey: API_KEY, clock: () => Date.now() + clockOffsetMs });
  defer(() => emulator.close());
  const { worker, taskQueue } = await createBenchWorker(env.nativeConnection, 'history');
  const durations = options.quick ? DURATIONS.slice(0, 2) : DURATIONS;

  const rows: Cell[][] = [];
  const maxPerRun: Record<string, number> = {};
  await worker.runUntil(async () => {
    for (const { label, duration } of durations) {
      for (const design of ['package', 'naive'] as const) {
        const uri = `s3://bench/history/${design}/${label.replace(' ', '')}/${randomUUID()}`;
        const workflowId = `history-${design}-${randomUUID()}`;
        clockOffsetMs = (await env.currentTimeMs()) - Date.now();
        const startedAt = Date.now();
        const handle =
          design === 'package'
            ? await env.client.workflow.start(pineconeImportWorkflow, {
                args: [{ indexHost: emulator.url, uri, timeout: '8 days' }],
                taskQueue,
                workflowId,
              })
            : await env.client.workflow.start(naivePollingWorkflow, {
                args: [{ indexHost: emulator.url, uri }],
                taskQueue,
                workflowId,
              });
        const created = await waitFor(() => emulator.imports().some((model) => model.uri === uri), 30_000);
        if (!created) throw new Error(`${design} ${label}: the import was never started`);
        await env.sleep(duration);
        const id = emulator.imports().find((model) => model.uri === uri)!.id;
        emulator.setStatus(id, 'Completed');
        await withTimeout(handle.result() as Promise<unknown>, 600_000, `${design} ${label} result`);
        const runs = await countHistoryEventsPerRun(env.client, workflowId);
        const total = runs.reduce((sum, events) => sum + events, 0);
        const max = Math.max(...runs);
        maxPerRun[`${design} ${label}`] = max;
        rows.push([
          label,
          design === 'package' ? 'pineconeImportWorkflow' : 'naive timer + activity',
          runs.length,
          max,
          total,
          `${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
        ]);
      }
    }
  });

  printTable(
    `History events per import, poll interval ${DEFAULT_POLL_INTERVAL} (time-skipping server)`,
    ['import length', 'design', 'runs', 'max events in a run', 'total events', 'real time'],
    rows,
  );
  const day = maxPerRun['package 24 h'] ?? NaN;
  const week = maxPerRun['package 7 d'];
  printTable(
    'History goals',
    ['goal', 'measured', 'result'],
    [
      ['<= 200 events per run for a 24-hour import', `max ${day} per run`, metOrNot(day <= 200)],
      [
        `7-day import never near the server's warning (${SERVER_WARN_EVENTS.toLocaleString('en-US')} events; ` +
          `limit ${SERVER_LIMIT_EVENTS.toLocaleString('en-US')})`,
        week === undefined ? 'not run (--quick)' : `max ${week} per run`,
        week === undefined ? 'not measured' : metOrNot(week <= 200),
      ],
    ],
  );
}
