import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createImportActivities } from '../../src/activities';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';
import { eventually } from '../helpers/eventually';
import { devServerEnv, uniqueTaskQueue, withWorker } from '../helpers/temporal';
import {
  cancelSignal,
  PINECONE_IMPORT_ID,
  PINECONE_IMPORT_STATUS,
  PINECONE_INDEX_HOST,
  pineconeImportWorkflow,
  stateQuery,
} from '../workflows';

const API_KEY = 'pcsk_visibility_test_key';

/** What the Temporal UI reads: search attributes, memo, current details, handler descriptions. */
describe('pineconeImportWorkflow in the Temporal UI (dev server)', () => {
  let env: TestWorkflowEnvironment;
  let emulator: PineconeEmulator;
  const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });

  before(async () => {
    env = await devServerEnv();
    emulator = await startPineconeEmulator({ apiKey: API_KEY });
  });

  after(async () => {
    await emulator.close();
  });

  it('publishes the import in its memo, current details and, when asked, search attributes', async () => {
    const taskQueue = uniqueTaskQueue('visible in the UI');

    const { description, metadata, result } = await withWorker(env, { taskQueue, activities }, async () => {
      const handle = await env.client.workflow.start(pineconeImportWorkflow, {
        args: [
          {
            indexHost: emulator.url,
            uri: `s3://bucket/${taskQueue}/`,
            pollInterval: '1 second',
            searchAttributes: true,
          },
        ],
        taskQueue,
        workflowId: taskQueue,
      });
      const importId = (await eventually(() => emulator.imports().find((model) => model.uri?.includes(taskQueue)))).id;
      emulator.setStatus(importId, 'InProgress', { percentComplete: 40, recordsImported: 1234 });
      await eventually(async () =>
        (await handle.query(stateQuery)).import?.status === 'InProgress' ? true : undefined,
      );
      await eventually(async () => {
        const described = await handle.describe();
        return described.typedSearchAttributes.get(PINECONE_IMPORT_STATUS) === 'InProgress' ? true : undefined;
      });

      const described = await handle.describe();
      const workflowMetadata = await handle.query<{
        currentDetails: string;
        definition: { signalDefinitions: { name: string; description?: string }[] };
      }>('__temporal_workflow_metadata');
      await handle.signal(cancelSignal, { reason: 'done looking' });
      return { description: described, metadata: workflowMetadata, result: await handle.result() };
    });

    const importId = result.import.id;
    assert.equal(description.memo?.importId, importId);
    assert.equal(description.typedSearchAttributes.get(PINECONE_IMPORT_ID), importId);
    assert.equal(description.typedSearchAttributes.get(PINECONE_INDEX_HOST), emulator.url);
    assert.match(metadata.currentDetails, /InProgress/);
    assert.match(metadata.currentDetails, /40%/);
    assert.match(metadata.currentDetails, /1234/);
    const cancel = metadata.definition.signalDefinitions.find((signal) => signal.name === 'cancel');
    assert.ok(cancel?.description, 'the cancel signal has a description');
    assert.equal(result.outcome, 'cancelled');
  });
});
