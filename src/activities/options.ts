/**
 * Recommended `ActivityOptions` for the import activities, for `proxyActivities` in workflows (ours and users').
 * Sandbox-safe: type imports, the failure catalogue and pure functions only.
 *
 * Every `startToCloseTimeout` exceeds the default `requestTimeoutMs` (30 s) so that a slow request fails as a
 * classified `PineconeNetworkError` rather than as an activity timeout. Every retry policy is bounded by
 * `scheduleToCloseTimeout` (Temporal's default retries forever) and never retries the non-retryable types.
 * A 429/503 `Retry-After` (at most 5 minutes) overrides the backoff through `nextRetryDelay`.
 */
import type { ActivityOptions } from '@temporalio/common';
import type { ImportModel } from '../types';
import { NON_RETRYABLE_ACTIVITY_FAILURE_TYPES } from '../failures';

/**
 * How far Pinecone's clock may run behind the Temporal server's when an import's `createdAt` is compared with the
 * time a start was scheduled (the reconcile of `startImport`, and the workflow's search after a failed start).
 */
export const RECONCILE_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Whether `model` may have been created by a start of `uri` scheduled at `sinceMs` (less the skew already): the
 * same `uri` and a `createdAt` at or after it. An import without a parseable `createdAt` never matches. Both
 * `startImport`'s reconcile and the workflow's search after a failed start use this one rule.
 */
export function mayBeCreatedByStart(model: ImportModel, uri: string, sinceMs: number): boolean {
  return model.uri === uri && Date.parse(model.createdAt ?? '') >= sinceMs;
}

const nonRetryableErrorTypes = [...NON_RETRYABLE_ACTIVITY_FAILURE_TYPES];

/** `startImport`: up to 50 list pages while reconciling plus the POST, so a longer attempt budget. */
export const startImportActivityOptions: ActivityOptions = {
  // Reconcile lists up to 50 pages; a healthy page takes well under a second, a stuck one 30 s and fails.
  startToCloseTimeout: '2 minutes',
  // Starting late is acceptable; starting never is a failed workflow, so allow a few outages' worth of retries.
  scheduleToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes,
  },
};

/** `describeImport`: polled repeatedly; a failing poll should surface to the workflow within minutes. */
export const describeImportActivityOptions: ActivityOptions = {
  // One GET bounded by requestTimeoutMs (30 s) plus margin.
  startToCloseTimeout: '40 seconds',
  // The next poll retries anyway; the workflow decides what a long outage means.
  scheduleToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes,
  },
};

/** `listImports`: one page, read-only. */
export const listImportsActivityOptions: ActivityOptions = {
  // One GET bounded by requestTimeoutMs (30 s) plus margin.
  startToCloseTimeout: '40 seconds',
  // Same budget as a describe: a listing is never on a deadline-critical path.
  scheduleToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes,
  },
};

/** `cancelImport`: the call that stops a running (billed) import, so it keeps trying far longer than a describe. */
export const cancelImportActivityOptions: ActivityOptions = {
  // One DELETE bounded by requestTimeoutMs (30 s) plus margin.
  startToCloseTimeout: '40 seconds',
  // Idempotent, and an import left running costs money: ride out a long outage, but not forever.
  scheduleToCloseTimeout: '30 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes,
  },
};
