/**
 * The workflows test workers serve: the package's own, plus small ones the tests use, among them the two ways a
 * user's ingestion workflow embeds the import.
 */
import { executeChild, proxyActivities, sleep } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { ImportActivities } from '../../src/activities';
import {
  cancelImportActivityOptions,
  describeImportActivityOptions,
  pineconeImportWorkflow,
  startImportActivityOptions,
  type ImportModel,
  type ImportWorkflowInput,
  type ImportWorkflowResult,
} from '../../src/workflows';

export * from '../../src/workflows';

/** Sleeps for `duration` of workflow time and returns it, for proving that time skipping is real. */
export async function sleepWorkflow(duration: Duration): Promise<Duration> {
  await sleep(duration);
  return duration;
}

/** A user's ingestion workflow that runs the import as a child; cancelling it cancels the import. */
export async function ingestWithChildWorkflow(input: ImportWorkflowInput): Promise<ImportWorkflowResult> {
  return await executeChild(pineconeImportWorkflow, {
    args: [input],
    workflowId: `${input.uri}-import-child`,
  });
}

const { startImport } = proxyActivities<ImportActivities>(startImportActivityOptions);
const { describeImport } = proxyActivities<ImportActivities>(describeImportActivityOptions);
const { cancelImport } = proxyActivities<ImportActivities>(cancelImportActivityOptions);

/**
 * A user's workflow that calls the activities directly with the recommended options: start, check once, cancel,
 * and return the final model.
 */
export async function startAndCancelDirectlyWorkflow(input: ImportWorkflowInput): Promise<ImportModel> {
  const { id } = await startImport({ indexHost: input.indexHost, uri: input.uri });
  await describeImport({ indexHost: input.indexHost, id });
  await cancelImport({ indexHost: input.indexHost, id });
  return await describeImport({ indexHost: input.indexHost, id });
}
