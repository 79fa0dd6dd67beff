import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createImportActivities } from '../src/activities';
import {
  cancelImportWorkflow,
  DEFAULT_TASK_QUEUE,
  getImportState,
  importWorkflowId,
  startImportWorkflow,
} from '../src/client';
import { INVALID_IMPORT_INPUT } from '../src/failures';
import { startPineconeEmulator, type PineconeEmulator } from '../src/testing';
import type { ImportWorkflowInput, ImportWorkflowState } from '../src/types';
import { devServerEnv, uniqueTaskQueue, withWorker } from './helpers/temporal';

const API_KEY = 'pcsk_client_test_key';
const HOST = 'products-abc123.svc.aped-4627-b74a.pinecone.io';

describe('importWorkflowId', () => {
  it('gives the same id for the same index host and uri', () => {
    const uri = 's3://bucket/run-1/';
    assert.equal(importWorkflowId({ indexHost: HOST, uri }), importWorkflowId({ indexHost: HOST, uri }));
  });

  it('treats the spellings of one index origin as the same host', () => {
    const uri = 's3://bucket/run-1/';
    const id = importWorkflowId({ indexHost: HOST, uri });
    for (const spelling of [HOST.toUpperCase(), `https://${HOST}`, `https://${HOST}/`, `https://${HOST}:443`]) {
      assert.equal(importWorkflowId({ indexHost: spelling, uri }), id, spelling);
    }
  });

  it('gives different ids for different uris, hosts or ports', () => {
    const ids = new Set([
      importWorkflowId({ indexHost: HOST, uri: 's3://bucket/run-1/' }),
      importWorkflowId({ indexHost: HOST, uri: 's3://bucket/Run-1/' }),
      importWorkflowId({ indexHost: `other-${HOST}`, uri: 's3://bucket/run-1/' }),
      importWorkflowId({ indexHost: 'http://127.0.0.1:5081', uri: 's3://bucket/run-1/' }),
      importWorkflowId({ indexHost: 'http://127.0.0.1:5082', uri: 's3://bucket/run-1/' }),
    ]);
    assert.equal(ids.size, 5);
  });

  it('starts with a readable prefix naming the index', () => {
    assert.match(
      importWorkflowId({ indexHost: HOST, uri: 's3://b/' }),
      /^pinecone-import-products-abc123-[0-9a-f]{24}$/,
    );
    assert.match(importWorkflowId({ indexHost: 'http://127.0.0.1:5081', uri: 's3://b/' }), /^pinecone-import-127-/);
  });

  it('rejects a malformed index host with InvalidImportInput', () => {
    assert.throws(
      () => importWorkflowId({ indexHost: 'https://user@host/path', uri: 's3://b/' }),
      (error: unknown) => error instanceof ApplicationFailure && error.type === INVALID_IMPORT_INPUT,
    );
  });
});

describe('client helpers on the dev server', function () {
  let env: TestWorkflowEnvironment;
  let emulator: PineconeEmulator;
  const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });

  before(async function () {
    env = await devServerEnv();
    // No progress schedule: imports stay Pending until a test moves them, so nothing finishes by itself.
    emulator = await startPineconeEmulator({ apiKey: API_KEY });
  });

  after(async () => {
    await emulator.close();
  });

  beforeEach(() => emulator.reset());

  function input(taskQueue: string): ImportWorkflowInput {
    return { indexHost: emulator.url, uri: `s3://bucket/${taskQueue}/`, pollInterval: '1 second' };
  }

  async function waitingState(workflowId: string): Promise<ImportWorkflowState> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const state = await getImportState(env.client, workflowId);
      if (state.phase === 'waiting' && state.import !== undefined) return state;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${workflowId} never reached the waiting phase`);
  }

  it('starts under the derived id on the default task queue', async () => {
    const handle = await startImportWorkflow(env.client, input('derived-id'));
    try {
      const description = await handle.describe();
      assert.equal(handle.workflowId, importWorkflowId(input('derived-id')));
      assert.equal(description.taskQueue, DEFAULT_TASK_QUEUE);
      assert.equal(description.type, 'pineconeImportWorkflow');
    } finally {
      await handle.terminate('test cleanup: no worker serves the default task queue here');
    }
  });

  it('shares one workflow and one import between two requests for the same import', async () => {
    const taskQueue = uniqueTaskQueue('shares one workflow');
    await withWorker(env, { taskQueue, activities }, async () => {
      const first = await startImportWorkflow(env.client, input(taskQueue), { taskQueue });
      const second = await startImportWorkflow(env.client, input(taskQueue), { taskQueue });
      await waitingState(first.workflowId);

      assert.equal(second.workflowId, first.workflowId);
      assert.equal(second.firstExecutionRunId, first.firstExecutionRunId);
      assert.equal(emulator.imports().length, 1);
      await cancelImportWorkflow(env.client, first.workflowId, 'test cleanup');
      await first.result();
    });
  });

  it('adopts a running import by id under an id derived from the index and that import', async () => {
    const taskQueue = uniqueTaskQueue('adopts by import id');
    const held = emulator.addImport({ id: `held-${taskQueue}`, uri: 's3://bucket/elsewhere/', status: 'InProgress' });
    await withWorker(env, { taskQueue, activities }, async () => {
      const adopt = { indexHost: emulator.url, uri: '', importId: held.id, pollInterval: '1 second' } as const;
      const first = await startImportWorkflow(env.client, adopt, { taskQueue });
      const second = await startImportWorkflow(env.client, adopt, { taskQueue });
      const state = await waitingState(first.workflowId);

      assert.equal(second.firstExecutionRunId, first.firstExecutionRunId);
      assert.notEqual(first.workflowId, importWorkflowId({ indexHost: emulator.url, uri: held.uri! }));
      assert.equal(state.importId, held.id);
      assert.equal(emulator.requests().filter((request) => request.method === 'POST').length, 0);
      await cancelImportWorkflow(env.client, first.workflowId, 'test cleanup');
      await first.result();
    });
  });

  it('sets the UI summary and details on start', async () => {
    const taskQueue = uniqueTaskQueue('sets the ui summary');
    const handle = await startImportWorkflow(env.client, { ...input(taskQueue), timeout: '2 hours' }, { taskQueue });
    try {
      const description = await handle.describe();
      assert.equal(await description.staticSummary(), `Pinecone import: s3://bucket/${taskQueue}/ -> ${emulator.url}`);
      const details = await description.staticDetails();
      assert.match(details ?? '', new RegExp(`\\*\\*Index host:\\*\\* ${emulator.url.replace(/\./g, '\\.')}`));
      assert.match(details ?? '', /\*\*Deadline:\*\* 2 hours after start/);
    } finally {
      await handle.terminate('test cleanup');
    }
  });

  it('never sends a stray API key on the input into workflow history', async () => {
    const taskQueue = uniqueTaskQueue('never sends a stray key');
    const withKey = { ...input(taskQueue), apiKey: API_KEY } as ImportWorkflowInput;
    const handle = await startImportWorkflow(env.client, withKey, { taskQueue });
    try {
      const history = await handle.fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      const payload = Buffer.from(started?.input?.payloads?.[0]?.data ?? []).toString('utf8');
      assert.deepEqual(JSON.parse(payload), input(taskQueue));
    } finally {
      await handle.terminate('test cleanup');
    }
  });

  it('reports the running import through the state query', async () => {
    const taskQueue = uniqueTaskQueue('reports the running import');
    await withWorker(env, { taskQueue, activities }, async () => {
      const handle = await startImportWorkflow(env.client, input(taskQueue), { taskQueue });
      const state = await waitingState(handle.workflowId);

      const [held] = emulator.imports();
      assert.equal(state.importId, held!.id);
      assert.equal(state.import?.status, 'Pending');
      assert.ok(Date.parse(state.deadline) > Date.now());
      await cancelImportWorkflow(env.client, handle.workflowId, 'test cleanup');
      await handle.result();
    });
  });

  it('cancels the import through the cancel signal, keeping the reason', async () => {
    const taskQueue = uniqueTaskQueue('cancels through the signal');
    await withWorker(env, { taskQueue, activities }, async () => {
      const handle = await startImportWorkflow(env.client, input(taskQueue), { taskQueue });
      await waitingState(handle.workflowId);

      await cancelImportWorkflow(env.client, handle.workflowId, 'wrong bucket');
      const result = await handle.result();

      assert.equal(result.outcome, 'cancelled');
      assert.equal(result.cancelReason, 'wrong bucket');
      assert.equal(result.import.status, 'Cancelled');
      assert.equal(emulator.requests().filter((request) => request.method === 'DELETE').length, 1);
      assert.equal((await getImportState(env.client, handle.workflowId)).phase, 'done');
    });
  });

  it('rejects cancelling a workflow that does not exist', async () => {
    await assert.rejects(cancelImportWorkflow(env.client, 'pinecone-import-no-such-workflow'), {
      name: 'WorkflowNotFoundError',
    });
  });
});
