/**
 * Fault soak: 500 imports on the dev server while the emulator injects a mix of 5xx, 429 with Retry-After,
 * connection resets, hangs past the request timeout (the activities run with `requestTimeoutMs` 1,000 and hangs
 * last 2,500 ms), malformed bodies, and lost responses on start (the import is created, the answer is a 500, a
 * reset or a malformed body). Every workflow has a deadline of 20 to 60 s; some imports are completed or failed by
 * `setStatus`, some cancelled by signal, the rest run into their deadline.
 *
 * Counted: duplicate imports (imports per uri > 1), imports still running at the end or finished only after
 * their deadline plus the cancel's time, workflows not closed by the end, unexpected outcomes, and the API key in
 * every history, every runtime log line of this process (the worker runs here) and every workflow failure.
 */
import { randomUUID } from 'node:crypto';
import { startPineconeEmulator } from '../src/testing';
import {
  API_KEY,
  containsKey,
  defer,
  mapLimit,
  runtimeLog,
  seededRandom,
  sharedDevServerWorker,
  sleepMs,
} from './support/env';
import { metOrNot, printTable, summarize } from './support/report';
import {
  duplicateImports,
  injectFaultMix,
  isTerminal,
  outcomeOf,
  searchHistories,
  tally,
  type FaultShare,
} from './support/soak';
import type { BenchOptions } from './run';
import { cancelSignal, pineconeImportWorkflow } from './workflows';

const IMPORTS = 500;
const REQUEST_TIMEOUT_MS = 1_000;
const HANG_MS = 2_500;
const POLL_INTERVAL = '3 seconds';

const transient: FaultShare[] = [
  { name: '503', rule: { status: 503 }, per100: 5 },
  { name: '500', rule: { status: 500 }, per100: 3 },
  { name: '429 Retry-After 1', rule: { status: 429, headers: { 'retry-after': '1' } }, per100: 5 },
  { name: 'reset', rule: { reset: true }, per100: 4 },
  { name: 'hang', rule: { delayMs: HANG_MS }, per100: 3 },
];
const malformed: FaultShare = { name: 'malformed body', rule: { malformed: true }, per100: 3 };
const lostResponses: FaultShare[] = [
  { name: 'created, answered 500', rule: { afterEffect: true }, per100: 6 },
  { name: 'created, connection reset', rule: { afterEffect: true, reset: true }, per100: 5 },
  { name: 'created, malformed 200', rule: { afterEffect: true, malformed: true }, per100: 3 },
];
// A DELETE answered 200 took effect: the emulator's plain `malformed` (200, not handled) cannot happen on a cancel.
const lostCancels: FaultShare[] = [
  { name: 'cancelled, answered 500', rule: { afterEffect: true }, per100: 5 },
  { name: 'cancelled, malformed 200', rule: { afterEffect: true, malformed: true }, per100: 3 },
];

type Plan = 'complete' | 'fail' | 'signal' | 'deadline';

interface Run {
  index: number;
  workflowId: string;
  uri: string;
  plan: Plan;
  timeoutMs: number;
  actAfterMs: number;
  startedAtMs: number;
  /** Set when the planned action was dropped because the import appeared only after the deadline. */
  actedTooLate?: boolean;
}

export async function faultSoak(options: BenchOptions): Promise<void> {
  const count = options.quick ? 60 : IMPORTS;
  const random = seededRandom(20261203);
  const { client, worker, taskQueue } = await sharedDevServerWorker('fault-soak', {
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  const emulator = await startPineconeEmulator({ apiKey: API_KEY });
  defer(() => emulator.close());
  const logLinesBefore = runtimeLog.lines;
  const logLeaksBefore = runtimeLog.leaks.length;

  const planned = {
    POST: injectFaultMix(emulator, { method: 'POST' }, count * 2, [...transient, malformed, ...lostResponses], random),
    list: injectFaultMix(emulator, { method: 'GET', path: '/bulk/imports' }, count, [...transient, malformed], random),
    describe: injectFaultMix(
      emulator,
      { method: 'GET', path: /^\/bulk\/imports\/[^/]+$/ },
      count * 8,
      [...transient, malformed],
      random,
    ),
    DELETE: injectFaultMix(emulator, { method: 'DELETE' }, count, [...transient, ...lostCancels], random),
  };

  const plans: Plan[] = ['complete', 'complete', 'complete', 'complete', 'fail', 'signal', 'signal'];
  const runs: Run[] = Array.from({ length: count }, (_, index) => {
    const timeoutMs = (20 + Math.floor(random() * 41)) * 1000;
    const plan: Plan = index % 10 < 3 ? 'deadline' : plans[Math.floor(random() * plans.length)]!;
    return {
      index,
      workflowId: `fault-soak-${index}-${randomUUID().slice(0, 8)}`,
      uri: `s3://bench/fault-soak/${index}/${randomUUID()}/`,
      plan,
      timeoutMs,
      actAfterMs: 3_000 + Math.floor(random() * (timeoutMs - 6_000)),
      startedAtMs: 0,
    };
  });

  const soakStartedAt = Date.now();
  const results = await worker.runUntil(async () => {
    const handles = await mapLimit(runs, 20, async (run) => {
      run.startedAtMs = Date.now();
      return client.workflow.start(pineconeImportWorkflow, {
        args: [{ indexHost: emulator.url, uri: run.uri, timeout: run.timeoutMs, pollInterval: POLL_INTERVAL }],
        taskQueue,
        workflowId: run.workflowId,
      });
    });

    // Act on each planned import once it exists, until every action is done or its workflow's deadline passed.
    const pending = new Set(runs.filter((run) => run.plan !== 'deadline'));
    const actUntil = Date.now() + 120_000;
    while (pending.size > 0 && Date.now() < actUntil) {
      for (const run of [...pending]) {
        if (Date.now() < run.startedAtMs + run.actAfterMs) continue;
        const model = emulator.imports().find((candidate) => candidate.uri === run.uri);
        if (Date.now() > run.startedAtMs + run.timeoutMs) {
          // Faults delayed the import's creation past the deadline: nothing was done, so the deadline decides.
          pending.delete(run);
          run.plan = 'deadline';
          run.actedTooLate = true;
          continue;
        }
        if (model === undefined) continue;
        pending.delete(run);
        if (run.plan === 'complete' && !isTerminal(model)) emulator.setStatus(model.id, 'Completed');
        if (run.plan === 'fail' && !isTerminal(model)) emulator.setStatus(model.id, 'Failed', { error: 'bad rows' });
        if (run.plan === 'signal') await handles[run.index]!.signal(cancelSignal, { reason: 'soak' });
      }
      await sleepMs(200);
    }

    // Every deadline is at most 60 s after its start; a cancel under faults settles within seconds.
    const lastDeadline = Math.max(...runs.map((run) => run.startedAtMs + run.timeoutMs));
    const closeBy = lastDeadline + 180_000;
    return mapLimit(handles, 50, (handle) => outcomeOf(handle, Math.max(1_000, closeBy - Date.now())));
  });
  const soakMs = Date.now() - soakStartedAt;

  const imports = emulator.imports();
  const byUri = new Map(imports.map((model) => [model.uri, model]));
  const stillRunning = imports.filter((model) => !isTerminal(model)).length;
  const expected: Record<Plan, string[]> = {
    complete: ['completed'],
    fail: ['ImportFailed'],
    signal: ['cancelled', 'completed'],
    deadline: ['ImportDeadlineExceeded'],
  };
  const unexpected = runs.filter((run) => !expected[run.plan].includes(results[run.index]!.outcome));
  const deadlineLagMs = runs
    .filter((run) => results[run.index]!.outcome === 'ImportDeadlineExceeded')
    .map((run) => Date.parse(byUri.get(run.uri)?.finishedAt ?? '') - (run.startedAtMs + run.timeoutMs));
  const lag = summarize(deadlineLagMs.filter(Number.isFinite));
  const lateCancels = deadlineLagMs.filter((ms) => !(ms <= 60_000)).length;
  const stuck = results.filter((result) => result.outcome === 'open').length;
  const duplicates = duplicateImports(
    emulator,
    runs.map((run) => run.uri),
  );

  const histories = await searchHistories(
    client,
    runs.map((run) => run.workflowId),
  );
  const failureLeaks = results.filter((result) => containsKey(result.text)).length;
  const logLines = runtimeLog.lines - logLinesBefore;
  const logLeaks = runtimeLog.leaks.length - logLeaksBefore;
  const requests = emulator.requests();
  const keyOnTheWire = requests.filter((request) => request.headers['api-key'] === API_KEY).length;

  const faultsText = (shares: Record<string, number>): string =>
    Object.entries(shares)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
  printTable(
    `Fault soak: ${count} imports, dev server, requestTimeoutMs ${REQUEST_TIMEOUT_MS}, hangs ${HANG_MS} ms`,
    ['request class', 'fault rules planned (shuffled among pass-through rules, one per request)'],
    [
      ['POST /bulk/imports', faultsText(planned.POST)],
      ['GET /bulk/imports (reconcile)', faultsText(planned.list)],
      ['GET /bulk/imports/{id}', faultsText(planned.describe)],
      ['DELETE /bulk/imports/{id}', faultsText(planned.DELETE)],
    ],
  );
  const count1 = (method: string): number => requests.filter((request) => request.method === method).length;
  printTable(
    'Fault soak results',
    ['measure', 'value', 'goal'],
    [
      ['wall time', `${(soakMs / 1000).toFixed(1)} s`, ''],
      [
        'requests received',
        `${requests.length} (POST ${count1('POST')}, GET ${count1('GET')}, DELETE ${count1('DELETE')})`,
        '',
      ],
      ['plans (as carried out)', tally(runs.map((run) => run.plan)), ''],
      [
        'planned actions dropped: import created only after the deadline',
        runs.filter((run) => run.actedTooLate).length,
        '',
      ],
      ['outcomes', tally(results.map((result) => result.outcome)), ''],
      ['unexpected outcomes', unexpected.length, ''],
      ['duplicate imports (imports per uri > 1)', duplicates, `0: ${metOrNot(duplicates === 0)}`],
      ['imports still running at the end', stillRunning, `0: ${metOrNot(stillRunning === 0)}`],
      [
        'deadline cancels: import finished after deadline, p50 / p95 / max',
        `${lag.p50} / ${lag.p95} / ${lag.max} ms`,
        '',
      ],
      ['deadline cancels finished > 60 s after the deadline', lateCancels, `0: ${metOrNot(lateCancels === 0)}`],
      ['stuck workflows (not closed by the end)', stuck, `0: ${metOrNot(stuck === 0)}`],
    ],
  );
  if (unexpected.length > 0) {
    console.log(
      'unexpected:',
      unexpected
        .slice(0, 10)
        .map((run) => `${run.workflowId} plan ${run.plan} -> ${results[run.index]!.outcome}`)
        .join('; '),
    );
  }
  printTable(
    'Secrets after the fault soak (the key string searched for)',
    ['searched', 'count', 'holding the key', 'goal'],
    [
      [`histories (every run of every workflow)`, histories.runs, histories.leaks, metOrNot(histories.leaks === 0)],
      ['runtime log lines (worker in this process, all levels)', logLines, logLeaks, metOrNot(logLeaks === 0)],
      ['workflow results and failures (cause chains)', results.length, failureLeaks, metOrNot(failureLeaks === 0)],
      ['control: requests carrying the key in Api-Key (must be > 0)', requests.length, keyOnTheWire, ''],
    ],
  );
}
