/**
 * The workflows bench workers serve: the package's own, plus the naive polling loop the history benchmark
 * compares it with. Bench-only; never part of the package.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { ImportActivities } from '../src/activities';
import {
  describeImportActivityOptions,
  startImportActivityOptions,
  DEFAULT_POLL_INTERVAL,
  type ImportModel,
} from '../src/workflows';

export * from '../src/workflows';

const { startImport } = proxyActivities<ImportActivities>(startImportActivityOptions);
const { describeImport } = proxyActivities<ImportActivities>(describeImportActivityOptions);

/** Checks beyond this many end the naive loop, so that a bench run cannot poll forever. */
const NAIVE_MAX_CHECKS = 5_000;
const TERMINAL = new Set(['Completed', 'Failed', 'Cancelled']);

export interface NaivePollingInput {
  indexHost: string;
  uri: string;
  pollInterval?: Duration;
}

/**
 * What the package avoids: start the import, then per check a timer and a regular `describeImport` activity, in
 * one run with no continue-as-new. Returns the terminal model, or the last one seen after the check bound.
 */
export async function naivePollingWorkflow(input: NaivePollingInput): Promise<ImportModel> {
  const { id } = await startImport({ indexHost: input.indexHost, uri: input.uri });
  let model: ImportModel = { id, status: 'Pending' };
  for (let check = 0; check < NAIVE_MAX_CHECKS && !TERMINAL.has(model.status); check++) {
    await sleep(input.pollInterval ?? DEFAULT_POLL_INTERVAL);
    model = await describeImport({ indexHost: input.indexHost, id });
  }
  return model;
}
