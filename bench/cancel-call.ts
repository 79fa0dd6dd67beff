/**
 * One `DELETE /bulk/imports/{id}` several ways, against one emulator in one run: the `cancelImport` activity, raw
 * undici requests, and Pinecone's official client (6.1.4). Calls are interleaved after a warm-up: each round runs
 * every caller once in a fresh random order, and each call is timed only after the event loop has drained, so that
 * neither the machine's drift nor the work one caller leaves behind lands on another's clock.
 *
 * The activity runs inside one `MockActivityEnvironment` reused for every call: the function a worker calls, with
 * a real activity Context (cancellation signal, attempt, logger), and none of the worker's gRPC polling, which
 * would swamp the HTTP call being compared. Its logger discards lines, as a worker filtering INFO would. Raw undici
 * uses its own keep-alive Agent, as the activity's default does; the official client uses Node's fetch.
 *
 * Two more raw undici rows split the activity's overhead into its parts: the same request with what every
 * activity request must carry (the `User-Agent` header and the activity's cancellation signal), and a plain raw
 * request run as an activity in the same `MockActivityEnvironment` (the SDK's own cost of running any activity).
 *
 * The goal is judged on the plain loopback run, on the mean and the median both. A second run delays every DELETE
 * by 2 ms at the emulator (a fault rule with `delayMs` only), for the same overhead next to a response time closer
 * to a real network's.
 */
import { Pinecone } from '@pinecone-database/pinecone';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { Agent } from 'undici';
import { createImportActivities } from '../src/activities';
import { startPineconeEmulator } from '../src/testing';
import { API_KEY, defer, seededRandom, shuffle } from './support/env';
import { metOrNot, printTable, summarize, type Summary } from './support/report';
import type { BenchOptions } from './run';

const CALLS = 2_000;
const WARMUP_CALLS = 300;
const GOAL_RATIO_TO_UNDICI = 1.15;

type ContenderKey =
  'activity' | 'activityFreshEnv' | 'undici' | 'undiciWithActivityHeaders' | 'undiciAsActivity' | 'official';

export async function cancelCall(options: BenchOptions): Promise<void> {
  const calls = options.quick ? 200 : CALLS;
  const emulator = await startPineconeEmulator({ apiKey: API_KEY });
  defer(() => emulator.close());
  // Cancelled once, then every DELETE answers 200 `{}` without effect: the same response for every call.
  const id = emulator.addImport({ id: 'bench-cancel', uri: 's3://bench/cancel-call/', status: 'InProgress' }).id;
  const ref = { indexHost: emulator.url, id };

  const { cancelImport } = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });
  const logger = new DefaultLogger('ERROR', () => undefined);
  const activityEnv = new MockActivityEnvironment({ activityType: 'cancelImport' }, { logger });
  const agent = new Agent();
  defer(() => agent.close());
  const index = new Pinecone({ apiKey: API_KEY }).index('bench-index', emulator.url);
  const path = `/bulk/imports/${encodeURIComponent(id)}`;
  const rawHeaders = { 'api-key': API_KEY, 'x-pinecone-api-version': '2025-04', accept: 'application/json' };
  const activityHeaders = { ...rawHeaders, 'user-agent': 'temporal-pinecone-import/bench' };
  const signal = new AbortController().signal;

  const rawDelete = async (extra: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<void> => {
    const response = await agent.request({
      origin: emulator.url,
      path,
      method: 'DELETE',
      headers: rawHeaders,
      ...extra,
    });
    await response.body.dump();
    if (response.statusCode !== 200) throw new Error(`raw undici got ${response.statusCode} from ${path}`);
  };

  const contenders: Contender[] = [
    {
      key: 'activity',
      name: 'cancelImport activity (one MockActivityEnvironment)',
      call: () => activityEnv.run(cancelImport, ref),
    },
    {
      key: 'activityFreshEnv',
      name: 'cancelImport activity (fresh MockActivityEnvironment per call)',
      call: () => new MockActivityEnvironment({ activityType: 'cancelImport' }, { logger }).run(cancelImport, ref),
    },
    { key: 'undici', name: 'raw undici request', call: () => rawDelete() },
    {
      key: 'undiciWithActivityHeaders',
      name: 'raw undici request with User-Agent and a cancellation signal',
      call: () => rawDelete({ headers: activityHeaders, signal }),
    },
    {
      key: 'undiciAsActivity',
      name: 'raw undici request run as an activity (one MockActivityEnvironment)',
      call: () => activityEnv.run(() => rawDelete()),
    },
    { key: 'official', name: "official client's cancelImport", call: () => index.cancelImport(id) },
  ];

  const plain = await measure(contenders, calls);
  const deletes = emulator.requests().filter((request) => request.method === 'DELETE').length;
  const expected = (WARMUP_CALLS + calls) * contenders.length;
  if (deletes !== expected) throw new Error(`the emulator saw ${deletes} DELETEs, expected ${expected}`);
  printStats(`DELETE /bulk/imports/{id} on loopback`, contenders, plain, calls);

  emulator.fail({ method: 'DELETE', delayMs: 2, times: Infinity });
  const delayed = await measure(contenders, calls);
  printStats('DELETE /bulk/imports/{id}, emulator answering after 2 ms', contenders, delayed, calls);

  const ratio = (stats: Stats, key: ContenderKey, base: ContenderKey) =>
    `${(stats[key].mean / stats[base].mean).toFixed(2)}x; ${(stats[key].p50 / stats[base].p50).toFixed(2)}x`;
  const worstRatio = (stats: Stats, key: ContenderKey, base: ContenderKey) =>
    Math.max(stats[key].mean / stats[base].mean, stats[key].p50 / stats[base].p50);
  printTable(
    'Cancel call goals',
    ['goal', 'measured (mean; p50)', 'result'],
    [
      [
        `activity <= ${GOAL_RATIO_TO_UNDICI}x raw undici`,
        ratio(plain, 'activity', 'undici'),
        // Both: the mean swings with whichever caller a GC pause lands on (1.04x to 1.49x over three runs of one
        // build), the median does not.
        metOrNot(worstRatio(plain, 'activity', 'undici') <= GOAL_RATIO_TO_UNDICI),
      ],
      [
        'activity faster than the official client',
        ratio(plain, 'activity', 'official'),
        metOrNot(plain.activity.mean < plain.official.mean && plain.activity.p50 < plain.official.p50),
      ],
      [
        'context: raw undici with User-Agent and signal / raw undici',
        ratio(plain, 'undiciWithActivityHeaders', 'undici'),
        '',
      ],
      ['context: raw undici run as an activity / raw undici', ratio(plain, 'undiciAsActivity', 'undici'), ''],
      ['context: activity / raw undici run as an activity', ratio(plain, 'activity', 'undiciAsActivity'), ''],
      ['context: activity / raw undici, emulator answering after 2 ms', ratio(delayed, 'activity', 'undici'), ''],
      [
        'context: activity / official client, emulator answering after 2 ms',
        ratio(delayed, 'activity', 'official'),
        '',
      ],
    ],
  );
}

interface Contender {
  key: ContenderKey;
  name: string;
  call: () => Promise<unknown>;
}

type Stats = Record<ContenderKey, Summary>;

async function measure(contenders: readonly Contender[], calls: number): Promise<Stats> {
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
  return Object.fromEntries(contenders.map((contender, i) => [contender.key, summarize(samples[i]!)])) as Stats;
}

function printStats(title: string, contenders: readonly Contender[], stats: Stats, calls: number): void {
  printTable(
    `${title}: ${calls.toLocaleString('en-US')} calls each, interleaved, after ${WARMUP_CALLS} warm-up calls each ` +
      '(times in ms)',
    ['caller', 'mean', 'p50', 'p95', 'mean / undici', 'p50 / undici', 'mean / official'],
    contenders.map(({ key, name }) => {
      const s = stats[key];
      return [
        name,
        s.mean,
        s.p50,
        s.p95,
        (s.mean / stats.undici.mean).toFixed(2),
        (s.p50 / stats.undici.p50).toFixed(2),
        (s.mean / stats.official.mean).toFixed(2),
      ];
    }),
  );
}
