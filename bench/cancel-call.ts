/**
 * One `DELETE /bulk/imports/{id}` three ways, against one emulator in one run: the `cancelImport` activity, a raw
 * undici request, and Pinecone's official client (6.1.4). Calls are interleaved after a warm-up: each round runs
 * every caller once in a fresh random order, and each call is timed only after the event loop has drained, so that
 * neither the machine's drift nor the work one caller leaves behind lands on another's clock.
 *
 * The activity runs inside one `MockActivityEnvironment` reused for every call: the function a worker calls, with
 * a real activity Context (cancellation signal, attempt, logger), and none of the worker's gRPC polling, which
 * would swamp the HTTP call being compared. Its logger discards lines, as a worker filtering INFO would. A second
 * activity row creates a fresh `MockActivityEnvironment` per call, for the cost of that set-up. Raw undici uses its
 * own keep-alive Agent, as the activity's default does; the official client uses Node's fetch.
 *
 * The goal is judged on the plain loopback run, on the mean and the median both. A second run delays every DELETE by 2 ms at the emulator (a fault
 * rule with `delayMs` only), for the same overhead next to a response time closer to a real network's.
 */
import { Pinecone } from '@pinecone-database/pinecone';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Agent } from 'undici';
import { createImportActivities } from '../src/activities';
import { startPineconeEmulator } from '../src/testing';
import { API_KEY, defer, seededRandom, shuffle } from './support/env';
import { metOrNot, printTable, summarize, type Summary } from './support/report';
import type { BenchOptions } from './run';

const CALLS = 2_000;
const WARMUP_CALLS = 300;
const GOAL_RATIO_TO_UNDICI = 1.15;

class DiscardingLogger implements Logger {
  log(_level: LogLevel, _message: string, _meta?: LogMetadata): void {}
  trace(): void {}
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
}

export async function cancelCall(options: BenchOptions): Promise<void> {
  const calls = options.quick ? 200 : CALLS;
  const emulator = await startPineconeEmulator({ apiKey: API_KEY });
  defer(() => emulator.close());
  // Cancelled once, then every DELETE answers 200 `{}` without effect: the same response for every call.
  const id = emulator.addImport({ id: 'bench-cancel', uri: 's3://bench/cancel-call/', status: 'InProgress' }).id;
  const ref = { indexHost: emulator.url, id };

  const { cancelImport } = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });
  const logger = new DiscardingLogger();
  const activityEnv = new MockActivityEnvironment({ activityType: 'cancelImport' }, { logger });
  const agent = new Agent();
  defer(() => agent.close());
  const index = new Pinecone({ apiKey: API_KEY }).index('bench-index', emulator.url);
  const rawUrl = `${emulator.url}/bulk/imports/${encodeURIComponent(id)}`;
  const rawHeaders = { 'api-key': API_KEY, 'x-pinecone-api-version': '2025-04', accept: 'application/json' };

  const contenders: Contender[] = [
    { name: 'cancelImport activity (one MockActivityEnvironment)', call: () => activityEnv.run(cancelImport, ref) },
    {
      name: 'cancelImport activity (fresh MockActivityEnvironment per call)',
      call: () => new MockActivityEnvironment({ activityType: 'cancelImport' }, { logger }).run(cancelImport, ref),
    },
    {
      name: 'raw undici request',
      call: async () => {
        const response = await agent.request({
          origin: emulator.url,
          path: `/bulk/imports/${encodeURIComponent(id)}`,
          method: 'DELETE',
          headers: rawHeaders,
        });
        await response.body.dump();
        if (response.statusCode !== 200) throw new Error(`raw undici got ${response.statusCode} from ${rawUrl}`);
      },
    },
    { name: "official client's cancelImport", call: () => index.cancelImport(id) },
  ];

  const plain = await measure(contenders, calls);
  const deletes = emulator.requests().filter((request) => request.method === 'DELETE').length;
  const expected = (WARMUP_CALLS + calls) * contenders.length;
  if (deletes !== expected) throw new Error(`the emulator saw ${deletes} DELETEs, expected ${expected}`);
  printStats(`DELETE /bulk/imports/{id} on loopback`, contenders, plain, calls);

  emulator.fail({ method: 'DELETE', delayMs: 2, times: Infinity });
  const delayed = await measure(contenders, calls);
  printStats('DELETE /bulk/imports/{id}, emulator answering after 2 ms', contenders, delayed, calls);

  const stats = plain;
  const undici = stats[2]!;
  const official = stats[3]!;
  const activity = stats[0]!;
  printTable(
    'Cancel call goals',
    ['goal', 'measured (mean; p50)', 'result'],
    [
      [
        `activity <= ${GOAL_RATIO_TO_UNDICI}x raw undici`,
        `${(activity.mean / undici.mean).toFixed(2)}x; ${(activity.p50 / undici.p50).toFixed(2)}x`,
        // Both: the mean swings with whichever caller a GC pause lands on (1.04x to 1.49x over three runs of one
        // build), the median does not.
        metOrNot(Math.max(activity.mean / undici.mean, activity.p50 / undici.p50) <= GOAL_RATIO_TO_UNDICI),
      ],
      [
        'activity faster than the official client',
        `${(activity.mean / official.mean).toFixed(2)}x; ${(activity.p50 / official.p50).toFixed(2)}x`,
        metOrNot(activity.mean < official.mean && activity.p50 < official.p50),
      ],
      [
        'context, not the goal: the same with the emulator answering after 2 ms',
        `${(delayed[0]!.mean / delayed[2]!.mean).toFixed(2)}x undici; ` +
          `${(delayed[0]!.mean / delayed[3]!.mean).toFixed(2)}x official`,
        '',
      ],
    ],
  );
}

interface Contender {
  name: string;
  call: () => Promise<unknown>;
}

async function measure(contenders: readonly Contender[], calls: number): Promise<Summary[]> {
  const samples = contenders.map(() => [] as number[]);
  const random = seededRandom(7);
  const order = contenders.map((_, i) => i);
  for (let round = 0; round < WARMUP_CALLS + calls; round++) {
    // A fresh order each round: a fixed cycle would always time one contender right after the same other one,
    // paying for the work that one leaves behind on the event loop.
    for (const which of shuffle(order, random)) {
      // Lets the previous call's leftover work (stream finalization, timers) run before the clock starts.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const startedAt = performance.now();
      await contenders[which]!.call();
      const elapsedMs = performance.now() - startedAt;
      if (round >= WARMUP_CALLS) samples[which]!.push(elapsedMs);
    }
  }
  return samples.map((values) => summarize(values));
}

function printStats(title: string, contenders: readonly Contender[], stats: readonly Summary[], calls: number): void {
  const undici = stats[2]!;
  const official = stats[3]!;
  printTable(
    `${title}: ${calls.toLocaleString('en-US')} calls each, interleaved, after ${WARMUP_CALLS} warm-up calls each ` +
      '(times in ms)',
    ['caller', 'mean', 'p50', 'p95', 'mean / undici', 'p50 / undici', 'mean / official'],
    contenders.map((contender, i) => {
      const s = stats[i]!;
      return [
        contender.name,
        s.mean,
        s.p50,
        s.p95,
        (s.mean / undici.mean).toFixed(2),
        (s.p50 / undici.p50).toFixed(2),
        (s.mean / official.mean).toFixed(2),
      ];
    }),
  );
}
