/**
 * Message definitions of `pineconeImportWorkflow`. Names are part of the public contract: other services and the
 * `temporal` CLI address them by these strings.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CancelSignalInput, ImportWorkflowState, SetDeadlineInput } from '../types';

/** Signal `cancel`: cancel the import (once; later requests are ignored) and return `outcome: 'cancelled'`. */
export const cancelSignal = defineSignal<[CancelSignalInput?]>('cancel');

/**
 * Update `setDeadline`: move the deadline, earlier or later, effective at once. The validator rejects a malformed or
 * past instant, and an import that is finished or being cancelled. Returns the deadline now in force.
 */
export const setDeadlineUpdate = defineUpdate<SetDeadlineInput, [SetDeadlineInput]>('setDeadline');

/** Query `state`: the phase, the import id and last model seen, the deadline and any cancel reason. */
export const stateQuery = defineQuery<ImportWorkflowState>('state');
