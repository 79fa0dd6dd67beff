/**
 * `temporal-pinecone-import/client`: start, cancel and inspect `pineconeImportWorkflow` from any service holding a
 * Temporal `Client`. The Pinecone API key never travels through Temporal: only the worker holds it.
 */
import { createHash } from 'node:crypto';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { ImportWorkflowInput, ImportWorkflowResult, ImportWorkflowState } from './types';
import { formatOrigin, parseIndexHost, validateId, validateUri } from './validation';
import { cancelSignal, stateQuery } from './workflows/messages';

/** The task queue the worker polls and {@link startImportWorkflow} uses unless told otherwise. */
export const DEFAULT_TASK_QUEUE = 'pinecone-imports';

/** The workflow type name, as registered by the worker and addressed by the `temporal` CLI. */
export const IMPORT_WORKFLOW_TYPE = 'pineconeImportWorkflow';

/** The signature of `pineconeImportWorkflow`, for typed handles without importing workflow code here. */
export type PineconeImportWorkflow = (input: ImportWorkflowInput) => Promise<ImportWorkflowResult>;

export interface StartImportWorkflowOptions {
  /** Default: {@link importWorkflowId} of the input. */
  workflowId?: string;
  /** Default: {@link DEFAULT_TASK_QUEUE}. */
  taskQueue?: string;
}

const ID_PREFIX = 'pinecone-import';
const ID_HASH_HEX_CHARS = 24;
const MAX_READABLE_PART = 40;

/**
 * The workflow id of an import: `pinecone-import-<index>-<hash>`, where `<index>` is the first label of the index
 * host (readable in the UI) and `<hash>` is SHA-256 over the normalized origin (scheme and host lower-cased, default
 * port dropped, `https://` implied) and the uri exactly as given (object keys are case-sensitive). The same index
 * and uri always give the same id, which is what lets two services share one import. Throws the
 * `InvalidImportInput` failure for a malformed host or uri.
 */
export function importWorkflowId(input: { indexHost: string; uri: string }): string {
  return workflowIdFor(input.indexHost, validateUri(input.uri));
}

/**
 * The id of a workflow adopting `importId`: the same index and import always give the same id. A uri always starts
 * with a scheme, so the `import:` subject never collides with one.
 */
function adoptionWorkflowId(indexHost: string, importId: string): string {
  return workflowIdFor(indexHost, `import:${validateId(importId, 'importId')}`);
}

function workflowIdFor(indexHost: string, subject: string): string {
  const host = parseIndexHost(indexHost);
  const hash = createHash('sha256').update(formatOrigin(host)).update('\n').update(subject).digest('hex');
  const readable = host.hostname
    .split('.')[0]!
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_READABLE_PART);
  return [ID_PREFIX, readable, hash.slice(0, ID_HASH_HEX_CHARS)].filter((part) => part !== '').join('-');
}

/**
 * Starts `pineconeImportWorkflow`, or returns the handle of the run already going under the same id (conflict
 * policy `USE_EXISTING`): asking twice for the same import never starts it twice. A closed workflow with that id
 * does not block a new run (the default reuse policy), so the same uri can be imported again later. Sets the UI's
 * summary and details. The default id is {@link importWorkflowId}, or, when adopting `importId`, one derived from
 * the index and that id. Only the fields of {@link ImportWorkflowInput} are sent, so a stray secret on the input
 * object never reaches workflow history.
 */
export async function startImportWorkflow(
  client: Client,
  input: ImportWorkflowInput,
  options: StartImportWorkflowOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<PineconeImportWorkflow>> {
  const workflowInput = pickWorkflowInput(input);
  return client.workflow.start<PineconeImportWorkflow>(IMPORT_WORKFLOW_TYPE, {
    args: [workflowInput],
    workflowId:
      options.workflowId ??
      (workflowInput.importId === undefined
        ? importWorkflowId(workflowInput)
        : adoptionWorkflowId(workflowInput.indexHost, workflowInput.importId)),
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: importSummary(workflowInput),
    staticDetails: importDetails(workflowInput),
  });
}

/**
 * Sends the `cancel` signal: the workflow cancels the import (DELETE, then waits for a terminal status) and
 * returns `outcome: 'cancelled'` with `reason`, or `completed` if the import finished first. A second cancel is
 * ignored by the workflow. Unlike terminating, this lets the workflow clean up. Rejects with the client's
 * `WorkflowNotFoundError` when no such workflow is running.
 */
export async function cancelImportWorkflow(client: Client, workflowId: string, reason?: string): Promise<void> {
  await client.workflow.getHandle(workflowId).signal(cancelSignal, reason === undefined ? {} : { reason });
}

/**
 * Runs the `state` query: phase, import id, last model seen, deadline, cancel reason. Read-only, safe to call at
 * any rate; works on a closed workflow too while its history is retained.
 */
export async function getImportState(client: Client, workflowId: string): Promise<ImportWorkflowState> {
  return client.workflow.getHandle(workflowId).query(stateQuery);
}

function pickWorkflowInput(input: ImportWorkflowInput): ImportWorkflowInput {
  const picked: ImportWorkflowInput = { indexHost: input.indexHost, uri: input.uri };
  if (input.integrationId !== undefined) picked.integrationId = input.integrationId;
  if (input.errorMode !== undefined) picked.errorMode = input.errorMode;
  if (input.importId !== undefined) picked.importId = input.importId;
  if (input.deadline !== undefined) picked.deadline = input.deadline;
  if (input.timeout !== undefined) picked.timeout = input.timeout;
  if (input.pollInterval !== undefined) picked.pollInterval = input.pollInterval;
  if (input.searchAttributes !== undefined) picked.searchAttributes = input.searchAttributes;
  return picked;
}

function importSummary(input: ImportWorkflowInput): string {
  const what = input.importId === undefined ? input.uri : `import ${input.importId}`;
  return `Pinecone import: ${what} -> ${input.indexHost}`;
}

function importDetails(input: ImportWorkflowInput): string {
  const lines = [
    `**Index host:** ${input.indexHost}`,
    input.importId === undefined ? `**Source:** ${input.uri}` : `**Adopted import:** ${input.importId}`,
    `**Deadline:** ${input.deadline ?? `${String(input.timeout ?? '24 hours')} after start`}`,
    `**On bad records:** ${input.errorMode ?? 'abort'}`,
  ];
  if (input.integrationId !== undefined) lines.push(`**Integration:** ${input.integrationId}`);
  return lines.join('\n\n');
}
