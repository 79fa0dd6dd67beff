/**
 * The workflows test workers serve: the package's own, plus small ones the harness tests use.
 */
import { sleep } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';

/** Sleeps for `duration` of workflow time and returns it, for proving that time skipping is real. */
export async function sleepWorkflow(duration: Duration): Promise<Duration> {
  await sleep(duration);
  return duration;
}
