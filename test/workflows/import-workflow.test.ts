import assert from 'node:assert/strict';
import {
  Client,
  Connection,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createImportActivities } from '../../src/activities';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';
import type { ImportModel, ImportWorkflowInput, ImportWorkflowResult } from '../../src/types';
import { eventually } from '../helpers/eventually';
import { timeSkippingEnv, uniqueTaskQueue, withWorker } from '../helpers/temporal';
import { countHistoryEventsPerRun, msUntilActivityScheduled } from '../helpers/history';
import {
  cancelSignal,
  ingestWithChildWorkflow,
  pineconeImportWorkflow,
  setDeadlineUpdate,
  startAndCancelDirectlyWorkflow,
  stateQuery,
} from '../workflows';

const API_KEY = 'pcsk_workflow_test_key';
const HOUR_MS = 60 * 60 * 1000;

describe('pineconeImportWorkflow', function () {
  let env: TestWorkflowEnvironment;
  let emulator: PineconeEmulator;
  // The test server's clock runs ahead of the wall clock once time has been skipped; the emulator follows it so
  // that `createdAt` compares sensibly with activity schedule times.
  let clockOffsetMs = 0;
  const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });

  before(async function () {
    env = await timeSkippingEnv();
    emulator = await startPineconeEmulator({ apiKey: API_KEY, clock: () => Date.now() + clockOffsetMs });
  });

  after(async () => {
    await emulator.close();
  });

  beforeEach(async () => {
    emulator.reset();
    clockOffsetMs = (await env.currentTimeMs()) - Date.now();
  });

  /** Starts the workflow on a fresh task queue, runs `during` while a worker serves it, then awaits its result. */
  async function runImport(
    title: string,
    input: Partial<ImportWorkflowInput>,
    during: (handle: WorkflowHandle<typeof pineconeImportWorkflow>) => Promise<void> = async () => {},
  ): Promise<ImportWorkflowResult> {
    const taskQueue = uniqueTaskQueue(title);
    return await withWorker(env, { taskQueue, activities }, async () => {
      const handle = await env.client.workflow.start(pineconeImportWorkflow, {
        args: [{ indexHost: emulator.url, uri: `s3://bucket/${taskQueue}/`, ...input }],
        taskQueue,
        workflowId: taskQueue,
      });
      await during(handle);
      return await handle.result();
    });
  }

  /** Waits in real time until the emulator holds an import, and returns it. */
  async function startedImport(): Promise<ImportModel> {
    const found = await eventually(() => emulator.imports()[0]);
    return found;
  }

  function requestsOf(method: string): number {
    return emulator.requests().filter((request) => request.method === method).length;
  }

  it('returns completed when the import completes after hours of simulated time', async () => {
    let midway: unknown;

    const result = await runImport('completes after hours', {}, async (handle) => {
      const { id } = await startedImport();
      emulator.setStatus(id, 'InProgress', { percentComplete: 40 });
      await env.sleep('3 hours');
      midway = await handle.query(stateQuery);
      emulator.setStatus(id, 'Completed', { recordsImported: 1_000 });
    });

    assert.equal(result.outcome, 'completed');
    assert.equal(result.import.status, 'Completed');
    assert.equal(result.import.recordsImported, 1_000);
    assert.deepEqual(pick(midway as Record<string, unknown>, ['phase', 'importId']), {
      phase: 'waiting',
      importId: result.import.id,
    });
    assert.equal((midway as { import: ImportModel }).import.percentComplete, 40);
    assert.equal(requestsOf('DELETE'), 0);
  });

  it('fails with non-retryable ImportFailed carrying the model when the import fails', async () => {
    const failure = await rejectionOf(
      runImport('import fails', {}, async () => {
        const { id } = await startedImport();
        emulator.setStatus(id, 'Failed', { error: 'bad parquet in part-0001' });
      }),
    );

    const cause = applicationFailureOf(failure);
    assert.equal(cause.type, 'ImportFailed');
    assert.equal(cause.nonRetryable, true);
    assert.equal((cause.details?.[0] as ImportModel).status, 'Failed');
    assert.equal((cause.details?.[0] as ImportModel).error, 'bad parquet in part-0001');
    assert.equal(requestsOf('DELETE'), 0);
  });

  it('cancels once at the deadline, then fails with ImportDeadlineExceeded and the final model', async () => {
    const failure = await rejectionOf(runImport('deadline passes', { timeout: '2 hours' }));

    const cause = applicationFailureOf(failure);
    assert.equal(cause.type, 'ImportDeadlineExceeded');
    assert.equal(cause.nonRetryable, true);
    assert.equal((cause.details?.[0] as ImportModel).status, 'Cancelled');
    assert.equal(requestsOf('DELETE'), 1);
    assert.equal(emulator.imports()[0]?.status, 'Cancelled');
  });

  it('cancels the import on a cancel signal from another client and returns cancelled with the reason', async () => {
    const result = await runImport('cancel signal', {}, async (handle) => {
      await startedImport();
      await env.sleep('30 minutes');
      const connection = await Connection.connect({ address: env.address });
      try {
        const otherClient = new Client({ connection });
        await otherClient.workflow.getHandle(handle.workflowId).signal(cancelSignal, { reason: 'reindex requested' });
      } finally {
        await connection.close();
      }
    });

    assert.equal(result.outcome, 'cancelled');
    assert.equal(result.cancelReason, 'reindex requested');
    assert.equal(result.import.status, 'Cancelled');
    assert.equal(requestsOf('DELETE'), 1);
  });

  it('sends one DELETE however many cancel signals arrive, keeping the first reason', async () => {
    const result = await runImport('repeated cancel signals', {}, async (handle) => {
      await startedImport();
      await handle.signal(cancelSignal, { reason: 'first' });
      await handle.signal(cancelSignal, { reason: 'second' });
      await handle.signal(cancelSignal);
    });

    assert.equal(result.outcome, 'cancelled');
    assert.equal(result.cancelReason, 'first');
    assert.equal(requestsOf('DELETE'), 1);
  });

  it('acts on a cancel signal at once while a status check is backing off from failures', async () => {
    emulator.fail({ method: 'GET', path: /^\/bulk\/imports\/[^/]+$/, status: 503, times: Infinity });
    let requestsAtSignal = 0;

    const result = await runImport('cancel during failing check', {}, async (handle) => {
      await startedImport();
      // Past the first check (10 s) and into its retries, which back off 1, 2, 4, 8 s... up to 5 minutes.
      await env.sleep('20 seconds');
      assert.ok(requestsOf('GET') >= 2, `${requestsOf('GET')} GETs before the signal`);
      requestsAtSignal = emulator.requests().length;
      await handle.signal(cancelSignal, { reason: 'stop during outage' });
      await eventually(() => (requestsOf('DELETE') > 0 ? true : undefined));
      emulator.clearFaults();
    });

    const afterSignal = emulator.requests().slice(requestsAtSignal);
    const deleteAt = afterSignal.findIndex((request) => request.method === 'DELETE');
    assert.ok(deleteAt <= 1, `${deleteAt} requests between the signal and the DELETE`);
    assert.equal(result.outcome, 'cancelled');
    assert.equal(result.cancelReason, 'stop during outage');
    assert.equal(result.import.status, 'Cancelled');
    assert.equal(requestsOf('DELETE'), 1);
  });

  it('cancels the import when the workflow itself is cancelled, then ends as cancelled', async () => {
    const failure = await rejectionOf(
      runImport('workflow cancelled', {}, async (handle) => {
        await startedImport();
        await env.sleep('1 hour');
        await handle.cancel();
      }),
    );

    assert.ok(failure instanceof WorkflowFailedError, String(failure));
    assert.ok(failure.cause instanceof CancelledFailure, String(failure.cause));
    assert.equal(requestsOf('DELETE'), 1);
    assert.equal(emulator.imports()[0]?.status, 'Cancelled');
  });

  it('reports completed when the import completed before the cancel took effect', async () => {
    const result = await runImport('cancel races completion', {}, async (handle) => {
      const { id } = await startedImport();
      emulator.setStatus(id, 'Completed');
      await handle.signal(cancelSignal, { reason: 'too late' });
    });

    assert.equal(result.outcome, 'completed');
    assert.equal(result.import.status, 'Completed');
  });

  it('finishes as cancelled when Pinecone answers the DELETE with 404', async () => {
    const result = await runImport('cancel gets 404', {}, async (handle) => {
      await startedImport();
      emulator.fail({ method: 'DELETE', status: 404, body: { error: { code: 'NOT_FOUND', message: 'gone' } } });
      await handle.signal(cancelSignal, { reason: 'cleanup' });
    });

    assert.equal(result.outcome, 'cancelled');
    assert.equal(result.cancelReason, 'cleanup');
    assert.equal(requestsOf('DELETE'), 1);
  });

  it('keeps waiting through a status it does not know', async () => {
    const result = await runImport('unknown status', {}, async () => {
      const { id } = await startedImport();
      emulator.setStatus(id, 'Indexing');
      await env.sleep('2 hours');
      assert.equal(emulator.imports()[0]?.status, 'Indexing');
      emulator.setStatus(id, 'Completed');
    });

    assert.equal(result.outcome, 'completed');
    assert.equal(requestsOf('DELETE'), 0);
  });

  it('extends the deadline with setDeadline, so the import may finish after the original one', async () => {
    const result = await runImport('deadline extended', { timeout: '1 hour' }, async (handle) => {
      const { id } = await startedImport();
      const later = new Date((await env.currentTimeMs()) + 5 * HOUR_MS).toISOString();
      const accepted = await handle.executeUpdate(setDeadlineUpdate, { args: [{ deadline: later }] });
      assert.equal(accepted.deadline, later);
      assert.equal((await handle.query(stateQuery)).deadline, later);
      await env.sleep('3 hours');
      emulator.setStatus(id, 'Completed');
    });

    assert.equal(result.outcome, 'completed');
    assert.equal(requestsOf('DELETE'), 0);
  });

  it('shortens the deadline with setDeadline, and the earlier deadline takes effect at once', async () => {
    let workflowId = '';
    const failure = await rejectionOf(
      runImport('deadline shortened', { timeout: '24 hours' }, async (handle) => {
        workflowId = handle.workflowId;
        await startedImport();
        const sooner = new Date((await env.currentTimeMs()) + 30 * 60_000).toISOString();
        await handle.executeUpdate(setDeadlineUpdate, { args: [{ deadline: sooner }] });
      }),
    );
    const cancelledAfterMs = await msUntilActivityScheduled(env.client, workflowId, 'cancelImport');

    assert.equal(applicationFailureOf(failure).type, 'ImportDeadlineExceeded');
    assert.equal(requestsOf('DELETE'), 1);
    assert.ok(cancelledAfterMs < HOUR_MS, `cancelled ${cancelledAfterMs / 60_000} minutes after the start`);
  });

  it('cancels at the deadline even while a status check is backing off from failures', async () => {
    emulator.fail({ method: 'GET', path: /^\/bulk\/imports\/[^/]+$/, status: 503, times: Infinity });
    let workflowId = '';

    const failure = await rejectionOf(
      runImport('deadline during failing check', { timeout: '2 minutes' }, async (handle) => {
        workflowId = handle.workflowId;
        await startedImport();
        // The first check starts at 10 s; alone, its retries would run until its 5-minute schedule-to-close.
        await env.sleep('3 minutes');
        emulator.clearFaults();
      }),
    );
    const cancelledAfterMs = await msUntilActivityScheduled(env.client, workflowId, 'cancelImport');

    assert.equal(applicationFailureOf(failure).type, 'ImportDeadlineExceeded');
    assert.equal(requestsOf('DELETE'), 1);
    assert.ok(cancelledAfterMs < 150_000, `cancelled ${cancelledAfterMs / 1000} s after the start`);
  });

  it('rejects setDeadline with a past or malformed instant, and while the import is being cancelled', async () => {
    const rejections: string[] = [];
    const future = () => env.currentTimeMs().then((nowMs) => new Date(nowMs + HOUR_MS).toISOString());

    await runImport('setDeadline validator', {}, async (handle) => {
      await startedImport();
      for (const deadline of ['2001-01-01T00:00:00Z', 'tomorrow', '2030-13-45T99:00:00Z', '2030-01-01']) {
        rejections.push(
          updateRejectionType(await rejectionOf(handle.executeUpdate(setDeadlineUpdate, { args: [{ deadline }] }))),
        );
      }
      emulator.fail({ method: 'DELETE', delayMs: 3_000 });
      await handle.signal(cancelSignal, { reason: 'stop' });
      await eventually(() => (requestsOf('DELETE') > 0 ? true : undefined));
      const deadline = await future();
      rejections.push(
        updateRejectionType(await rejectionOf(handle.executeUpdate(setDeadlineUpdate, { args: [{ deadline }] }))),
      );
    });

    assert.deepEqual(rejections, [
      'InvalidImportInput',
      'InvalidImportInput',
      'InvalidImportInput',
      'InvalidImportInput',
      'ImportNotRunning',
    ]);
  });

  it('adopts a running import by importId without starting another', async () => {
    emulator.addImport({ id: 'existing-42', uri: 's3://bucket/existing/', status: 'InProgress' });

    const result = await runImport('adopt importId', { importId: 'existing-42', uri: '' }, async () => {
      await env.sleep('1 hour');
      emulator.setStatus('existing-42', 'Completed');
    });

    assert.equal(result.outcome, 'completed');
    assert.equal(result.import.id, 'existing-42');
    assert.equal(requestsOf('POST'), 0);
    assert.equal(emulator.imports().length, 1);
  });

  it('starts exactly one import when the response to the first start is lost', async () => {
    emulator.fail({ method: 'POST', path: '/bulk/imports', afterEffect: true, status: 500 });

    const result = await runImport('lost start response', {}, async () => {
      const { id } = await startedImport();
      await eventually(() => requestsOf('GET') > 0 || undefined);
      emulator.setStatus(id, 'Completed');
    });

    assert.equal(result.outcome, 'completed');
    assert.equal(emulator.imports().length, 1);
    assert.equal(requestsOf('POST'), 1);
  });

  it('cancels the import a start created before giving up, then fails with the start failure', async () => {
    // The POST creates the import but its response is lost; the retry's reconcile listing is then refused with a
    // non-retryable 400, so startImport gives up without ever learning the id.
    emulator.fail({ method: 'POST', path: '/bulk/imports', afterEffect: true, status: 500 });
    emulator.fail({ method: 'GET', path: '/bulk/imports', status: 400 });

    const failure = await rejectionOf(runImport('failed start leaves an import', {}));

    assert.ok(failure instanceof WorkflowFailedError && failure.cause instanceof ActivityFailure, String(failure));
    assert.equal((failure.cause.cause as ApplicationFailure).type, 'PineconeBadRequest');
    assert.deepEqual(
      emulator.imports().map((model) => model.status),
      ['Cancelled'],
    );
    assert.equal(requestsOf('DELETE'), 1);
  });

  it('rides out a storm of 429s with Retry-After and completes', async () => {
    emulator.fail({ method: 'GET', status: 429, headers: { 'retry-after': '20' }, times: 6 });

    const result = await runImport('429 storm', {}, async () => {
      const { id } = await startedImport();
      await env.sleep('2 hours');
      emulator.setStatus(id, 'Completed');
    });

    assert.equal(result.outcome, 'completed');
    const throttled = emulator.requests().filter((request) => request.method === 'GET').length;
    assert.ok(throttled > 6, `${throttled} GETs`);
  });

  it('fails with InvalidImportInput and sends nothing when the input is bad', async () => {
    const failure = await rejectionOf(runImport('bad input', { uri: 'ftp://bucket/data/' }));

    const cause = applicationFailureOf(failure);
    assert.equal(cause.type, 'InvalidImportInput');
    assert.equal(cause.nonRetryable, true);
    assert.match(cause.message, /uri/);
    assert.equal(emulator.requests().length, 0);
  });

  it('fails with InvalidImportInput, not a workflow task failure, when the input is null or missing', async () => {
    const taskQueue = uniqueTaskQueue('null input');
    const failures = await withWorker(env, { taskQueue, activities }, async () => {
      const results: unknown[] = [];
      for (const input of [null, undefined]) {
        const handle = await env.client.workflow.start(pineconeImportWorkflow, {
          args: [input as unknown as ImportWorkflowInput],
          taskQueue,
          workflowId: `${taskQueue}-${String(input)}`,
        });
        results.push(await rejectionOf(handle.result()));
      }
      return results;
    });

    for (const failure of failures) {
      const cause = applicationFailureOf(failure);
      assert.equal(cause.type, 'InvalidImportInput');
      assert.equal(cause.nonRetryable, true);
      assert.match(cause.message, /^Invalid input: /);
    }
    assert.equal(emulator.requests().length, 0);
  });

  it('carries the import, deadline and poll state across continue-as-new through a 7-day import', async () => {
    const deadline = new Date((await env.currentTimeMs()) + 8 * 24 * HOUR_MS).toISOString();
    let runs: number[] = [];
    let workflowId = '';

    const result = await runImport('seven-day import', { deadline, pollInterval: '1 hour' }, async (handle) => {
      workflowId = handle.workflowId;
      const { id } = await startedImport();
      emulator.setStatus(id, 'InProgress', { percentComplete: 10 });
      await env.sleep('7 days');
      const state = await handle.query(stateQuery);
      assert.equal(state.deadline, deadline);
      assert.equal(state.importId, id);
      emulator.setStatus(id, 'Completed');
    });
    runs = await countHistoryEventsPerRun(env.client, workflowId);

    assert.equal(result.outcome, 'completed');
    assert.equal(emulator.imports().length, 1);
    assert.equal(requestsOf('POST'), 1);
    assert.ok(runs.length > 1, `${runs.length} run(s)`);
    assert.ok(Math.max(...runs) <= 200, `events per run: ${runs.join(', ')}`);
  });

  it('keeps every run of a 24-hour import at the default poll interval within 200 history events', async () => {
    let workflowId = '';

    await runImport('24-hour history', { timeout: '48 hours' }, async (handle) => {
      workflowId = handle.workflowId;
      const { id } = await startedImport();
      await env.sleep('24 hours');
      emulator.setStatus(id, 'Completed');
    });
    const runs = await countHistoryEventsPerRun(env.client, workflowId);

    const total = runs.reduce((sum, events) => sum + events, 0);
    // The figure belongs in the test report: it is the measured history cost the README quotes.
    // eslint-disable-next-line no-console
    console.log(`      24-hour import: ${runs.length} runs, events per run ${runs.join(', ')}, ${total} in all`);
    assert.ok(Math.max(...runs) <= 200, `events per run: ${runs.join(', ')}`);
  });

  it('cancels the import when the parent ingestion workflow that runs it as a child is cancelled', async () => {
    const taskQueue = uniqueTaskQueue('child cancelled with parent');

    const failure = await withWorker(env, { taskQueue, activities }, async () => {
      const parent = await env.client.workflow.start(ingestWithChildWorkflow, {
        args: [{ indexHost: emulator.url, uri: `s3://bucket/${taskQueue}/` }],
        taskQueue,
        workflowId: taskQueue,
      });
      await startedImport();
      await parent.cancel();
      return await rejectionOf(parent.result());
    });

    assert.ok(failure instanceof WorkflowFailedError, String(failure));
    assert.ok(failure.cause instanceof CancelledFailure, String(failure.cause));
    await eventually(() => (emulator.imports()[0]?.status === 'Cancelled' ? true : undefined));
    assert.equal(requestsOf('DELETE'), 1);
  });

  it('lets a workflow call the activities directly with the recommended options', async () => {
    const taskQueue = uniqueTaskQueue('activities called directly');

    const model = await withWorker(env, { taskQueue, activities }, () =>
      env.client.workflow.execute(startAndCancelDirectlyWorkflow, {
        args: [{ indexHost: emulator.url, uri: `s3://bucket/${taskQueue}/` }],
        taskQueue,
        workflowId: taskQueue,
      }),
    );

    assert.equal(model.status, 'Cancelled');
    assert.deepEqual(
      emulator.requests().map((request) => request.method),
      ['POST', 'GET', 'DELETE', 'GET'],
    );
  });
});

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new assert.AssertionError({ message: 'expected a rejection' });
}

function applicationFailureOf(err: unknown): ApplicationFailure {
  assert.ok(err instanceof WorkflowFailedError, String(err));
  assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
  return err.cause;
}

function updateRejectionType(err: unknown): string {
  assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
  assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
  return err.cause.type ?? '';
}

function pick(value: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, value[key]]));
}
