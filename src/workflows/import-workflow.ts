/**
 * `pineconeImportWorkflow`: starts one Pinecone bulk import (or adopts a running one), watches it until it ends,
 * and cancels it when its deadline passes, when a `cancel` signal arrives, or when the workflow itself is cancelled.
 *
 * Polling design. The import runs for minutes to days, so watching it must not grow history without bound. Each
 * status check is a timer followed by `describeImport` as a local activity: the result lands in history as one
 * marker in the same workflow task that starts the next timer, about 6 events a check instead of about 11 for a
 * timer plus a regular activity. Checks start 10 s apart and double up to `pollInterval` (default 5 minutes),
 * so short imports are seen finishing quickly and long ones cost little. Every run continues as new, carrying all
 * state, once its history passes {@link MAX_HISTORY_EVENTS_BEFORE_CONTINUE} events or the server suggests it, so
 * no run exceeds 200 events however long the import lasts. Progress stays
 * visible in the `state` query, the UI's current details and, when asked, search attributes.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import type { ImportActivities } from '../activities';
import {
  cancelImportActivityOptions,
  describeImportActivityOptions,
  listImportsActivityOptions,
  mayBeCreatedByStart,
  RECONCILE_CLOCK_SKEW_MS,
  startImportActivityOptions,
} from '../activities/options';
import {
  IMPORT_NOT_RUNNING,
  IMPORT_DEADLINE_EXCEEDED,
  IMPORT_FAILED,
  INVALID_IMPORT_INPUT,
  PINECONE_HOST_NOT_ALLOWED,
  PINECONE_NOT_FOUND,
} from '../failures';
import type { ImportModel, ImportWorkflowInput, ImportWorkflowResult, ImportWorkflowState } from '../types';
import {
  invalidInput,
  validateErrorMode,
  validateId,
  validateIndexHost,
  validateIntegrationId,
  validateUri,
} from '../validation';
import { cancelSignal, setDeadlineUpdate, stateQuery } from './messages';
import { PINECONE_IMPORT_ID, PINECONE_IMPORT_STATUS, PINECONE_INDEX_HOST } from './search-attributes';

/** Used when the input gives neither `deadline` nor `timeout`. */
export const DEFAULT_IMPORT_TIMEOUT = '24 hours';
/** Upper bound between status checks when the input gives no `pollInterval`. */
export const DEFAULT_POLL_INTERVAL = '5 minutes';
/** The first check comes this long after the start; later gaps double up to the poll interval. */
const FIRST_POLL_DELAY_MS = 10_000;
/**
 * A run continues as new past this many events. The margin to 200 covers a cancellation that starts just before:
 * the DELETE (about 6 events) and at most 11 checks while the import settles (about 6 events each).
 */
export const MAX_HISTORY_EVENTS_BEFORE_CONTINUE = 110;
/** After a cancel request, how long to keep checking for a terminal status before reporting what was seen. */
const SETTLE_TIMEOUT_MS = 10 * 60_000;
const SETTLE_FIRST_DELAY_MS = 2_000;
const SETTLE_MAX_DELAY_MS = 2 * 60_000;

/** The longest a status check can take: its retries end at the schedule-to-close timeout. */
const CHECK_MAX_MS = msToNumber(describeImportActivityOptions.scheduleToCloseTimeout ?? '5 minutes');

const TERMINAL_STATUSES = new Set(['Completed', 'Failed', 'Cancelled']);
const KNOWN_STATUSES = new Set(['Pending', 'InProgress', ...TERMINAL_STATUSES]);

// Retry policies and timeouts, with their reasons, live in ../activities/options.
const { startImport } = proxyActivities<ImportActivities>({
  ...startImportActivityOptions,
  summary: 'Start the Pinecone import',
});
const { cancelImport } = proxyActivities<ImportActivities>({
  ...cancelImportActivityOptions,
  summary: 'Cancel the Pinecone import',
});
const { listImports } = proxyActivities<ImportActivities>({
  ...listImportsActivityOptions,
  summary: 'Look for an import left by the failed start',
});
const { describeImport } = proxyLocalActivities<ImportActivities>({
  startToCloseTimeout: describeImportActivityOptions.startToCloseTimeout,
  scheduleToCloseTimeout: describeImportActivityOptions.scheduleToCloseTimeout,
  retry: describeImportActivityOptions.retry,
  // Every retry backs off on a workflow timer, none in the worker: sdk-core 1.24 leaves the start-to-close timer of
  // an attempt retried in the worker running (temporalio/sdk-rust#1454), so it can time out a later attempt, and it
  // panics when it fires after the worker has shut down. Retries are rare, so the timers cost little history.
  localRetryThreshold: '1 millisecond',
  summary: 'Check the import status',
});

/** What a continued run carries over besides the fields of its input (`importId`, `deadline`). */
export interface ImportContinuation {
  import: ImportModel;
  nextPollDelayMs: number;
}

/** The input of a run started by continue-as-new: the original input, the import adopted, and the state. */
interface ContinuedInput extends ImportWorkflowInput {
  continuation?: ImportContinuation;
}

/**
 * Starts a Pinecone import (or adopts `importId`) and returns when it ends.
 *
 * - `Completed`: returns `outcome: 'completed'`.
 * - `Failed`: fails with non-retryable `ImportFailed`, `details[0]` the model.
 * - Deadline passed: cancels the import, then fails with non-retryable `ImportDeadlineExceeded`, `details[0]` the
 *   last model (or returns `completed` if the import finished first).
 * - `cancel` signal: cancels the import and returns `outcome: 'cancelled'` with the reason.
 * - Workflow cancelled: cancels the import in a non-cancellable scope, then ends as cancelled. Terminating the
 *   workflow skips this: cancel, do not terminate, when the import must stop too.
 * - Invalid input: fails with non-retryable `InvalidImportInput` before any activity runs.
 */
export async function pineconeImportWorkflow(input: ImportWorkflowInput): Promise<ImportWorkflowResult> {
  // Read only from an object: destructuring null would throw a TypeError, a workflow task failure retried forever.
  const continuation = typeof input === 'object' && input !== null ? (input as ContinuedInput).continuation : undefined;
  const request = validateWorkflowInput(input, continuation !== undefined);
  const state: ImportWorkflowState = {
    phase: continuation ? 'waiting' : 'starting',
    importId: request.importId,
    import: continuation?.import,
    deadline: request.deadline,
  };
  let cancelRequested = false;
  // Bumped by message handlers so that a wait in progress ends at once and the loop acts on the change.
  let changes = 0;

  setHandler(stateQuery, () => ({ ...state }), { description: 'Phase, import id, last status seen, deadline' });
  setHandler(
    cancelSignal,
    (signal) => {
      if (cancelRequested || state.phase === 'done') return;
      cancelRequested = true;
      state.cancelReason = signal?.reason ?? 'cancel signal';
      changes++;
    },
    { description: 'Cancel the import; optional { reason }. Later requests are ignored.' },
  );
  setHandler(
    setDeadlineUpdate,
    ({ deadline }) => {
      state.deadline = new Date(Date.parse(deadline)).toISOString();
      changes++;
      publish();
      return { deadline: state.deadline };
    },
    {
      description: 'Move the deadline to { deadline } (an ISO-8601 instant in the future); returns it.',
      validator: ({ deadline }) => {
        const deadlineMs = parseInstant(deadline, 'deadline');
        if (deadlineMs <= Date.now()) invalidInput('deadline', 'must be in the future');
        if (state.phase === 'cancelling' || state.phase === 'done') {
          throw ApplicationFailure.create({
            type: IMPORT_NOT_RUNNING,
            nonRetryable: true,
            message: `the import is ${state.phase === 'done' ? 'finished' : 'being cancelled'}`,
          });
        }
      },
    },
  );

  /** Mirrors the state into the UI's current details, the memo and (when asked) the search attributes. */
  let memoWritten = false;
  let publishedStatus: string | undefined;
  function publish(): void {
    setCurrentDetails(describeState(state));
    if (!memoWritten && state.importId !== undefined) {
      upsertMemo({ importId: state.importId, indexHost: request.indexHost });
      memoWritten = true;
    }
    const status = state.import?.status ?? 'Starting';
    if (status === publishedStatus) return;
    publishedStatus = status;
    if (state.import !== undefined && !KNOWN_STATUSES.has(status)) {
      log.warn('Pinecone reported an unknown import status; still waiting', { importId: state.importId, status });
    }
    if (request.searchAttributes && state.importId !== undefined) {
      upsertSearchAttributes([
        { key: PINECONE_IMPORT_ID, value: state.importId },
        { key: PINECONE_INDEX_HOST, value: request.indexHost },
        { key: PINECONE_IMPORT_STATUS, value: status },
      ]);
    }
  }

  /** Reads the import's status; a check that fails only after its retries is logged and tried again next time. */
  async function check(importId: string): Promise<void> {
    try {
      state.import = await describeImport({ indexHost: request.indexHost, id: importId });
    } catch (err) {
      if (!isRetryableActivityFailure(err)) throw err;
      log.warn('Import status check failed after retries; checking again later', { importId, error: String(err) });
    }
    publish();
  }

  /**
   * Checks the status unless a message arrives or the deadline passes first, and returns false if either did: a
   * check backing off from Pinecone's failures could otherwise hold a cancel for minutes. The abandoned check is
   * cancelled, and the watch ends with the check. The deadline gets a timer only when the check could outlast it,
   * so that an ordinary check costs no timer events.
   */
  async function checkUnlessInterrupted(importId: string): Promise<boolean> {
    const seen = changes;
    const changed = () => changes !== seen;
    const untilDeadlineMs = Date.parse(state.deadline) - Date.now();
    const checkScope = new CancellationScope();
    const watchScope = new CancellationScope();
    const checked = checkScope.run(() => check(importId)).then(() => true);
    const interrupted = watchScope
      .run(async () => {
        if (untilDeadlineMs < CHECK_MAX_MS) {
          await condition(changed, Math.max(1, untilDeadlineMs), { summary: 'Stop the check at the deadline' });
        } else {
          await condition(changed);
        }
      })
      .then(() => false);
    try {
      return await Promise.race([checked, interrupted]);
    } finally {
      watchScope.cancel();
      checkScope.cancel();
    }
  }

  /**
   * Cancels the import and checks its status until it ends or {@link SETTLE_TIMEOUT_MS} passes. Never cancelled
   * itself: once started, the import must be told to stop whatever happens to the workflow.
   */
  function cancelAndSettle(importId: string, reason: string): Promise<ImportModel> {
    return CancellationScope.nonCancellable(async () => {
      state.phase = 'cancelling';
      state.cancelReason ??= reason;
      publish();
      log.info('Cancelling the import', { importId, reason: state.cancelReason });
      try {
        await cancelImport({ indexHost: request.indexHost, id: importId });
      } catch (err) {
        if (failureType(err) !== PINECONE_NOT_FOUND) throw err;
        log.warn('Pinecone has no such import; nothing left to cancel', { importId });
        return state.import ?? { id: importId, status: 'Cancelled' };
      }

      const giveUpAt = Date.now() + SETTLE_TIMEOUT_MS;
      for (let delayMs = SETTLE_FIRST_DELAY_MS; ; delayMs = Math.min(delayMs * 2, SETTLE_MAX_DELAY_MS)) {
        await check(importId);
        const model = state.import ?? { id: importId, status: 'Unknown' };
        if (isTerminal(model)) return model;
        if (Date.now() >= giveUpAt) {
          log.warn('The cancelled import has not reached a terminal status', { importId, status: model.status });
          return model;
        }
        await sleep(delayMs, { summary: 'Wait for the cancelled import to stop' });
      }
    });
  }

  /** The outcome once the import is terminal: its status decides, whatever asked for the cancellation. */
  function outcomeOf(model: ImportModel, cancelReason: string | undefined): ImportWorkflowResult {
    state.phase = 'done';
    publish();
    if (model.status === 'Failed') {
      throw ApplicationFailure.create({
        type: IMPORT_FAILED,
        nonRetryable: true,
        message: `Pinecone import ${model.id} failed${model.error ? `: ${model.error}` : ''}`,
        details: [model],
      });
    }
    if (model.status === 'Completed') return { outcome: 'completed', import: model };
    return { outcome: 'cancelled', import: model, cancelReason: cancelReason ?? 'cancelled outside this workflow' };
  }

  let nextPollDelayMs = continuation?.nextPollDelayMs ?? Math.min(FIRST_POLL_DELAY_MS, request.pollIntervalMs);

  try {
    if (state.importId === undefined) {
      // Not cancellable: a POST in flight may create the import, whose id is then needed to cancel it.
      const scheduledMs = Date.now();
      const { id } = await CancellationScope.nonCancellable(() => startImport(request.start)).catch(
        async (err: unknown) => {
          if (!NOTHING_SENT_FAILURE_TYPES.has(failureType(err) ?? '')) {
            await cancelImportsLeftByFailedStart(request.start, scheduledMs - RECONCILE_CLOCK_SKEW_MS);
          }
          throw err;
        },
      );
      state.importId = id;
      log.info('Pinecone import started', { importId: id, indexHost: request.indexHost });
    } else if (continuation === undefined) {
      state.import = await describeImport({ indexHost: request.indexHost, id: state.importId });
      log.info('Adopted a running Pinecone import', { importId: state.importId, status: state.import.status });
    }
    const importId = state.importId;
    state.phase = 'waiting';
    publish();

    for (;;) {
      if (state.import !== undefined && isTerminal(state.import)) return outcomeOf(state.import, undefined);

      if (cancelRequested) {
        return outcomeOf(await cancelAndSettle(importId, 'cancel signal'), state.cancelReason);
      }

      const untilDeadlineMs = Date.parse(state.deadline) - Date.now();
      if (untilDeadlineMs <= 0) {
        const model = await cancelAndSettle(importId, 'deadline exceeded');
        if (isTerminal(model) && model.status !== 'Cancelled') return outcomeOf(model, undefined);
        state.phase = 'done';
        publish();
        throw ApplicationFailure.create({
          type: IMPORT_DEADLINE_EXCEEDED,
          nonRetryable: true,
          message: `Pinecone import ${importId} passed its deadline ${state.deadline} and was cancelled`,
          details: [model],
        });
      }

      if (shouldContinueAsNew()) {
        await condition(allHandlersFinished);
        const next: ContinuedInput = {
          ...input,
          importId,
          deadline: state.deadline,
          continuation: { import: state.import ?? { id: importId, status: 'Pending' }, nextPollDelayMs },
        };
        return await continueAsNew<typeof pineconeImportWorkflow>(next);
      }

      const seen = changes;
      const waitMs = Math.max(1, Math.min(nextPollDelayMs, untilDeadlineMs));
      const interrupted = await condition(() => changes !== seen, waitMs, { summary: 'Wait for the next check' });
      if (interrupted || waitMs < nextPollDelayMs) continue;

      if (!(await checkUnlessInterrupted(importId))) continue;
      nextPollDelayMs = Math.min(nextPollDelayMs * 2, request.pollIntervalMs);
    }
  } catch (err) {
    if (!isCancellation(err) || state.importId === undefined || state.phase === 'cancelling') throw err;
    await cancelAndSettle(state.importId, 'workflow cancelled');
    state.phase = 'done';
    publish();
    throw err;
  }
}

interface WorkflowRequest {
  indexHost: string;
  start: { indexHost: string; uri: string; integrationId?: string; errorMode: 'abort' | 'continue' };
  importId?: string;
  deadline: string;
  pollIntervalMs: number;
  searchAttributes: boolean;
}

/** Checks the input before anything is started; a bad field fails the workflow with `InvalidImportInput`. */
function validateWorkflowInput(input: ImportWorkflowInput, continued: boolean): WorkflowRequest {
  if (typeof input !== 'object' || input === null) invalidInput('input', 'must be an object');
  const indexHost = validateIndexHost(input.indexHost);
  const importId = input.importId === undefined ? undefined : validateId(input.importId, 'importId');
  const uri = importId === undefined ? validateUri(input.uri) : String(input.uri ?? '');
  const integrationId = validateIntegrationId(input.integrationId);
  const errorMode = validateErrorMode(input.errorMode);
  const pollIntervalMs = parseDuration(input.pollInterval ?? DEFAULT_POLL_INTERVAL, 'pollInterval');
  if (pollIntervalMs < 1_000) invalidInput('pollInterval', 'must be at least 1 second');

  let deadlineMs: number;
  if (input.deadline !== undefined) {
    deadlineMs = parseInstant(input.deadline, 'deadline');
    if (!continued && deadlineMs <= Date.now()) invalidInput('deadline', 'must be in the future');
  } else {
    // From the start of the workflow, not of this task: a worker outage must not push the deadline out.
    deadlineMs = workflowInfo().startTime.getTime() + parseDuration(input.timeout ?? DEFAULT_IMPORT_TIMEOUT, 'timeout');
  }
  if (input.searchAttributes !== undefined && typeof input.searchAttributes !== 'boolean') {
    invalidInput('searchAttributes', 'must be a boolean');
  }

  return {
    indexHost,
    start: { indexHost, uri, ...(integrationId === undefined ? {} : { integrationId }), errorMode },
    importId,
    deadline: new Date(deadlineMs).toISOString(),
    pollIntervalMs,
    searchAttributes: input.searchAttributes === true,
  };
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO-8601 instant with a time zone, in ms since the epoch. */
function parseInstant(value: unknown, field: string): number {
  const ms = typeof value === 'string' && ISO_INSTANT.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) invalidInput(field, 'must be an ISO-8601 instant with a time zone, like 2030-01-31T12:00:00Z');
  return ms;
}

function parseDuration(value: unknown, field: string): number {
  let ms: number;
  try {
    ms = msToNumber(value as Parameters<typeof msToNumber>[0]);
  } catch {
    ms = NaN;
  }
  if (!Number.isFinite(ms) || ms <= 0) invalidInput(field, "must be a positive duration, like '30 minutes'");
  return ms;
}

function shouldContinueAsNew(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= MAX_HISTORY_EVENTS_BEFORE_CONTINUE;
}

function isTerminal(model: ImportModel): boolean {
  return TERMINAL_STATUSES.has(model.status);
}

/** `startImport` failures that mean no request reached Pinecone, so no import can have been created. */
const NOTHING_SENT_FAILURE_TYPES = new Set([INVALID_IMPORT_INPUT, PINECONE_HOST_NOT_ALLOWED]);
/** Pages of 100 searched for an import left by a failed start; Pinecone lists recent imports first. */
const LEFT_BY_FAILED_START_MAX_PAGES = 10;

/**
 * `startImport` gave up, but its last POST may still have created the import: a lost response with no attempt
 * left to reconcile it. Such an import would run with no workflow watching it and no deadline, so it is looked for
 * the way the activity reconciles (same uri, created since the start was scheduled less the clock skew, not yet
 * finished) and cancelled. Best effort and not cancellable: when this fails it is logged, and the workflow reports
 * the start's own failure either way.
 */
function cancelImportsLeftByFailedStart(start: { indexHost: string; uri: string }, sinceMs: number): Promise<void> {
  return CancellationScope.nonCancellable(async () => {
    try {
      let paginationToken: string | undefined;
      for (let page = 0; page < LEFT_BY_FAILED_START_MAX_PAGES; page++) {
        const listed = await listImports({ indexHost: start.indexHost, limit: 100, paginationToken });
        for (const model of listed.data) {
          if (isTerminal(model) || !mayBeCreatedByStart(model, start.uri, sinceMs)) continue;
          log.warn('Cancelling an import created by a start that then failed', { importId: model.id });
          await cancelImport({ indexHost: start.indexHost, id: model.id });
        }
        paginationToken = listed.next;
        if (paginationToken === undefined) return;
      }
    } catch (err) {
      log.error('Could not look for an import left by the failed start; one may be running unwatched', {
        indexHost: start.indexHost,
        uri: start.uri,
        error: String(err),
      });
    }
  });
}

/** The failure `type` behind an activity failure, if any: workflow code branches on these strings. */
function failureType(err: unknown): string | undefined {
  const cause = err instanceof Error ? (err.cause as { type?: unknown } | undefined) : undefined;
  return typeof cause?.type === 'string' ? cause.type : undefined;
}

/** A check that failed with a retryable type only ran out of attempts; a non-retryable one will fail again. */
function isRetryableActivityFailure(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as { nonRetryable?: unknown } | undefined) : undefined;
  return cause !== undefined && cause.nonRetryable !== true && !isCancellation(err);
}

/** The UI's "current details": a Markdown list, one line per fact. */
function describeState(state: ImportWorkflowState): string {
  const model = state.import;
  const lines = [
    `**Phase:** ${state.phase}`,
    `**Import:** ${state.importId ?? 'not started yet'}`,
    `**Status:** ${model?.status ?? 'unknown'}`,
  ];
  if (model?.percentComplete !== undefined) lines.push(`**Progress:** ${model.percentComplete}%`);
  if (model?.recordsImported !== undefined) lines.push(`**Records imported:** ${model.recordsImported}`);
  lines.push(`**Deadline:** ${state.deadline}`);
  if (state.cancelReason !== undefined) lines.push(`**Cancel reason:** ${state.cancelReason}`);
  return lines.map((line) => `- ${line}`).join('\n');
}
