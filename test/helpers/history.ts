import type { Client } from '@temporalio/client';

/**
 * The number of history events in each run of a workflow, first run first, following continue-as-new.
 */
export async function countHistoryEventsPerRun(client: Client, workflowId: string): Promise<number[]> {
  const latest = await client.workflow.getHandle(workflowId).fetchHistory();
  let runId: string | null | undefined =
    latest.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId;
  const counts: number[] = [];
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    counts.push(events.length);
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  return counts;
}

/** Milliseconds from the workflow's start to the first scheduling of `activityType` in its latest run. */
export async function msUntilActivityScheduled(client: Client, workflowId: string, activityType: string) {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const startedAt = events[0]?.eventTime;
  const scheduled = events.find(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activityType,
  );
  if (!startedAt || !scheduled?.eventTime) throw new Error(`no ${activityType} was scheduled in ${workflowId}`);
  return timestampMs(scheduled.eventTime) - timestampMs(startedAt);
}

function timestampMs(timestamp: { seconds?: unknown; nanos?: number | null }): number {
  return Number(timestamp.seconds ?? 0) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6);
}
