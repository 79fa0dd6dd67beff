/**
 * Bad input, property-based (fast-check): for every input field of every activity and of the workflow, generated
 * invalid values (wrong types, empty, too long, lone surrogates, control characters, wrong schemes, hosts with
 * paths or credentials, hosts outside the allowlist, past or malformed deadlines, bad durations) with every other
 * field valid. Each case must end in a typed non-retryable failure (`InvalidImportInput`, or
 * `PineconeHostNotAllowed` for a well-formed host that is not allowed) and send no request: the activities'
 * dispatcher counts every request it is asked to send (and refuses anything not on loopback), and the emulator
 * records every request it receives. Activities run in a `MockActivityEnvironment`; the workflow runs on the
 * time-skipping test server with the real activities.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import fc from 'fast-check';
import { Agent, type Dispatcher } from 'undici';
import { createImportActivities, type ImportActivities } from '../src/activities';
import { INVALID_IMPORT_INPUT, PINECONE_HOST_NOT_ALLOWED } from '../src/failures';
import { startPineconeEmulator, type PineconeEmulator } from '../src/testing';
import { API_KEY, createBenchWorker, defer, searchableText, timeSkippingEnv, withTimeout } from './support/env';
import { metOrNot, printTable, type Cell } from './support/report';
import type { BenchOptions } from './run';
import { pineconeImportWorkflow } from './workflows';

const ACTIVITY_RUNS_PER_FIELD = 300;
const WORKFLOW_RUNS_PER_FIELD = 30;
const TYPED = new Set([INVALID_IMPORT_INPUT, PINECONE_HOST_NOT_ALLOWED]);

/** Counts every request the activities try to send; refuses any not addressed to loopback. */
class CountingAgent extends Agent {
  attempts = 0;
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.attempts += 1;
    if (!String(options.origin).startsWith('http://127.0.0.1:')) {
      throw new Error(`bench refused a request to ${String(options.origin)}`);
    }
    return super.dispatch(options, handler);
  }
}

const notAString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.object(), fc.array(fc.string()));
const notAStringOrNull = fc.oneof(notAString, fc.constant(null));
const loneSurrogate = fc.constantFrom('\uD800', 'a\uDC00b', 'x\uDBFF', '\uDFFFx');
const tooLong = (max: number, prefix = '') =>
  fc.string({ minLength: max + 1, maxLength: max + 40 }).map((s) => `${prefix}${s}`.padEnd(max + 1, 'x'));
const withControl = (prefix: string) =>
  fc.tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0, max: 31 })).map(([s, c]) => {
    return `${prefix}a${String.fromCharCode(c)}${s}`;
  });

const badIndexHost = fc.oneof(
  notAStringOrNull,
  fc.constant(''),
  tooLong(512),
  loneSurrogate,
  fc.webPath({ size: 'small' }).map((p) => `http://127.0.0.1:5081/x${p}`),
  fc.string({ minLength: 1, maxLength: 20 }).map((s) => `http://127.0.0.1:5081/?${s}`),
  fc.string({ minLength: 1, maxLength: 20 }).map((s) => `https://user:${encodeURIComponent(s)}@index.pinecone.io`),
  fc.constantFrom('ftp://127.0.0.1', 'http://127.0.0.1:0', 'http://127.0.0.1:70000', 'http:/127.0.0.1', 'a b.io'),
  withControl('h'),
  // Well-formed but not allowed: the key must not be sent there.
  fc.domain().filter((d) => d !== '127.0.0.1'),
  fc.domain().map((d) => `http://${d}`),
  // (https://127.0.0.1 is allowed by an exact loopback entry, so it is no bad input: 127.0.0.2 is not allowed.)
  fc.constantFrom('http://localhost:5081', 'https://127.0.0.2:5081', 'pinecone.io', 'x.pinecone.io.evil.net'),
);
const badId = fc.oneof(notAStringOrNull, fc.constant(''), tooLong(1000), loneSurrogate);
const badUri = fc.oneof(
  notAStringOrNull,
  fc.constant(''),
  tooLong(1500, 's3://'),
  loneSurrogate.map((s) => `s3://${s}`),
  fc.constantFrom('s3://', 'gs://', 'https://', 'S3://bucket', 'file:///etc/passwd', 'http://bucket/x'),
  fc.string({ maxLength: 30 }).map((s) => `ftp://${s}`),
  withControl('s3://'),
);
const badIntegrationId = fc.oneof(notAString, fc.constant(''), tooLong(1000), loneSurrogate);
const badErrorMode = fc.oneof(
  fc.string().filter((s) => s !== 'abort' && s !== 'continue'),
  fc.constantFrom('ABORT', 'Continue', { onError: 'abort' }, ['abort']),
  notAString,
);
const badLimit = fc.oneof(
  fc.integer({ max: 0 }),
  fc.integer({ min: 101 }),
  fc.double().filter((n) => !Number.isInteger(n) || n < 1 || n > 100),
  fc.constantFrom('10', true, {}, [5], NaN, Infinity),
);
const badToken = fc.oneof(notAString, fc.constant(''), tooLong(4096), loneSurrogate);
const badInput = fc.constantFrom(undefined, null, 'x', 42, ['http://127.0.0.1']);

const badDeadline = fc.oneof(
  notAString,
  fc
    .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2020-01-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.string({ maxLength: 30 }).filter((s) => !/^\d{4}-\d{2}-\d{2}T/.test(s)),
  fc.constantFrom('2099-01-01', '2099-13-45T00:00:00Z', '2099-01-01T00:00:00', 'tomorrow'),
);
// No NaN or Infinity: workflow inputs travel as JSON, which turns both into null, and a null field is a field not
// given (the default applies), exactly as the workflow documents.
const badDuration = fc.oneof(
  fc.integer({ max: 0 }),
  fc.constantFrom('', 'soon', '-5 minutes', '0 seconds', -Number.MAX_VALUE, true, {}, []),
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/^\s*[\d.]/.test(s)),
);
const badPollInterval = fc.oneof(badDuration, fc.integer({ min: 1, max: 999 }), fc.constantFrom('500ms', '0.5s'));
const badSearchAttributes = fc.oneof(fc.string(), fc.integer(), fc.object(), fc.constant(null));

interface Violation {
  where: string;
  value: string;
  got: string;
}

/** Counts every field's cases, typed failures and requests, for the per-field table and the goals. */
class Tally {
  readonly rows: Cell[][] = [];
  readonly violations: Violation[] = [];
  cases = 0;

  constructor(
    private readonly emulator: PineconeEmulator,
    private readonly agent: CountingAgent,
  ) {}

  /**
   * Runs `numRuns` generated values of one field through `runCase`, which answers `'typed'` for a typed
   * non-retryable failure and otherwise what happened instead, and adds the field's row.
   */
  async field(
    where: string,
    arbitrary: fc.Arbitrary<unknown>,
    numRuns: number,
    runCase: (value: unknown) => Promise<string>,
  ): Promise<void> {
    let cases = 0;
    let typed = 0;
    const before = { sent: this.agent.attempts, received: this.emulator.requests().length };
    await fc.assert(
      fc.asyncProperty(arbitrary, async (value) => {
        cases += 1;
        const got = await runCase(value);
        if (got === 'typed') typed += 1;
        else this.violations.push({ where, value: searchableText(value).slice(0, 120), got });
      }),
      { numRuns, seed: 20261203 },
    );
    this.cases += cases;
    const sent = this.agent.attempts - before.sent;
    const received = this.emulator.requests().length - before.received;
    this.rows.push([where, cases, typed, sent, received]);
    if (process.env.BENCH_VERBOSE === '1') console.log(`${where}: ${cases} cases`);
  }
}

export async function badInputRuns(options: BenchOptions): Promise<void> {
  const activityRuns = options.quick ? 30 : ACTIVITY_RUNS_PER_FIELD;
  const workflowRuns = options.quick ? 5 : WORKFLOW_RUNS_PER_FIELD;
  const emulator = await startPineconeEmulator({ apiKey: API_KEY });
  defer(() => emulator.close());
  const agent = new CountingAgent();
  defer(() => agent.close());
  const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'], dispatcher: agent });
  const logger = new DefaultLogger('ERROR', () => undefined);
  const indexHost = emulator.url;
  const valid = {
    startImport: { indexHost, uri: 's3://bucket/dir/', integrationId: 'integration', errorMode: 'continue' },
    describeImport: { indexHost, id: '1' },
    listImports: { indexHost, limit: 10, paginationToken: 'token' },
    cancelImport: { indexHost, id: '1' },
  } as const;
  const activityFields: [keyof ImportActivities, string, fc.Arbitrary<unknown>][] = [
    ['startImport', 'input', badInput],
    ['startImport', 'indexHost', badIndexHost],
    ['startImport', 'uri', badUri],
    ['startImport', 'integrationId', badIntegrationId],
    ['startImport', 'errorMode', badErrorMode],
    ['describeImport', 'input', badInput],
    ['describeImport', 'indexHost', badIndexHost],
    ['describeImport', 'id', badId],
    ['listImports', 'input', badInput],
    ['listImports', 'indexHost', badIndexHost],
    ['listImports', 'limit', badLimit],
    ['listImports', 'paginationToken', badToken],
    ['cancelImport', 'input', badInput],
    ['cancelImport', 'indexHost', badIndexHost],
    ['cancelImport', 'id', badId],
  ];

  const tally = new Tally(emulator, agent);
  for (const [name, field, arbitrary] of activityFields) {
    const fn = activities[name] as (input: unknown) => Promise<unknown>;
    await tally.field(`${name}.${field}`, arbitrary, field === 'input' ? 5 : activityRuns, (value) => {
      const input = field === 'input' ? value : { ...valid[name], [field]: value };
      const env = new MockActivityEnvironment({ activityType: name }, { logger });
      return env.run(fn, input).then(
        () => 'succeeded',
        (err: unknown) => {
          if (err instanceof ApplicationFailure && TYPED.has(err.type ?? '') && err.nonRetryable) return 'typed';
          return err instanceof ApplicationFailure ? `${err.type} nonRetryable=${err.nonRetryable}` : String(err);
        },
      );
    });
  }

  await workflowCases(workflowRuns, emulator, agent, tally);
  const sentTotal = agent.attempts;
  const receivedTotal = emulator.requests().length;

  printTable(
    'Bad input: typed non-retryable failure and no request, per field',
    ['field', 'cases', 'typed non-retryable', 'requests attempted', 'requests received'],
    tally.rows,
  );
  printTable(
    'Bad input goals',
    ['cases', 'not a typed non-retryable failure', 'requests attempted / received', 'result'],
    [
      [
        tally.cases,
        tally.violations.length,
        `${sentTotal} / ${receivedTotal}`,
        metOrNot(tally.violations.length === 0 && sentTotal === 0 && receivedTotal === 0),
      ],
    ],
  );
  if (tally.violations.length > 0) {
    // Each distinct case once: repeats of one value (fast-check's shrinking) would hide the others.
    const distinct = [...new Set(tally.violations.map((v) => `${v.where} = ${v.value}: ${v.got}`))];
    console.log(distinct.slice(0, 40).join('\n'));
  }
}

/** The workflow's fields, on the time-skipping server. */
async function workflowCases(runs: number, emulator: PineconeEmulator, agent: CountingAgent, tally: Tally) {
  const env = await timeSkippingEnv();
  const { worker, taskQueue } = await createBenchWorker(env.nativeConnection, 'bad-input', {
    activities: { dispatcher: agent },
  });
  const valid = { indexHost: emulator.url, uri: 's3://bucket/dir/', timeout: '1 hour', pollInterval: '1 minute' };
  const fields: [string, fc.Arbitrary<unknown>][] = [
    ['input', badInput],
    ['indexHost', badIndexHost],
    ['uri', badUri],
    ['integrationId', badIntegrationId],
    ['errorMode', badErrorMode],
    ['importId', badId.filter((v) => v !== null)],
    ['deadline', badDeadline],
    ['timeout', badDuration],
    ['pollInterval', badPollInterval],
    ['searchAttributes', badSearchAttributes.filter((v) => v !== null)],
  ];
  await worker.runUntil(async () => {
    for (const [field, arbitrary] of fields) {
      await tally.field(`pineconeImportWorkflow.${field}`, arbitrary, field === 'input' ? 5 : runs, async (value) => {
        const input = field === 'input' ? value : { ...valid, [field]: value };
        const handle = await env.client.workflow.start(pineconeImportWorkflow, {
          args: [input as never],
          taskQueue,
          workflowId: `bad-input-${randomUUID()}`,
          workflowExecutionTimeout: '1 day',
        });
        // A workflow task that throws is retried forever: bounded here, reported, and terminated.
        const got = await withTimeout(handle.result(), 30_000, 'result').then(
          () => 'succeeded',
          (err: unknown) => {
            const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
            const failure = cause instanceof ApplicationFailure ? cause : cause?.cause;
            if (failure instanceof ApplicationFailure && TYPED.has(failure.type ?? '') && failure.nonRetryable) {
              return 'typed';
            }
            if (err instanceof Error && /did not finish/.test(err.message)) return 'no result within 30 s';
            return `${String(cause)} / ${String(cause?.cause)}`;
          },
        );
        if (got === 'no result within 30 s') await handle.terminate('bad-input bench: no result');
        return got;
      });
    }
  });
}
