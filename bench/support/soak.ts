/** What the two soaks share: fault mixes, the counts of what was lost, and the search of histories for the key. */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FaultRule, PineconeEmulator } from '../../src/testing';
import type { ImportModel } from '../../src/types';
import { containsKey, mapLimit, searchableText, shuffle, withTimeout } from './env';

export interface FaultShare {
  name: string;
  rule: Omit<FaultRule, 'method' | 'path' | 'times'>;
  /** Rules of this kind per 100 requests of the class. */
  per100: number;
}

/**
 * One rule per expected request of a class, shuffled: the faulty ones at the shares given, the rest pass-through
 * rules (`delayMs: 0` alone answers normally). Requests beyond `requests` find no rule and are answered normally.
 */
export function injectFaultMix(
  emulator: PineconeEmulator,
  match: Pick<FaultRule, 'method' | 'path'>,
  requests: number,
  shares: readonly FaultShare[],
  random: () => number,
): Record<string, number> {
  const rules: FaultRule[] = [];
  const planned: Record<string, number> = {};
  for (const share of shares) {
    const count = Math.round((requests * share.per100) / 100);
    planned[share.name] = count;
    for (let i = 0; i < count; i++) rules.push({ ...share.rule, ...match });
  }
  while (rules.length < requests) rules.push({ ...match, delayMs: 0 });
  for (const rule of shuffle(rules, random)) emulator.fail(rule);
  return planned;
}

/** Imports per uri beyond the first, over the uris given. */
export function duplicateImports(emulator: PineconeEmulator, uris: readonly string[]): number {
  const perUri = new Map<string, number>();
  for (const model of emulator.imports()) perUri.set(model.uri ?? '', (perUri.get(model.uri ?? '') ?? 0) + 1);
  return uris.reduce((sum, uri) => sum + Math.max(0, (perUri.get(uri) ?? 0) - 1), 0);
}

export function isTerminal(model: ImportModel): boolean {
  return ['Completed', 'Failed', 'Cancelled'].includes(model.status);
}

/** `completed`, `cancelled`, a failure type, or `open`. */
export type Outcome = string;

/** How a workflow ended: its result's outcome, the failure type of its cause, or `open` when still running. */
export async function outcomeOf(handle: WorkflowHandle, waitMs: number): Promise<{ outcome: Outcome; text: string }> {
  const settled = handle.result().then(
    (result: { outcome: string }) => ({ outcome: result.outcome, text: searchableText(result) }),
    (err: unknown) => ({ outcome: failureName(err), text: searchableText(err) }),
  );
  // `settled` never rejects, so only the time limit lands in the catch.
  return withTimeout(settled, waitMs, 'result').catch(() => ({ outcome: 'open', text: '' }));
}

function failureName(err: unknown): string {
  if (err instanceof WorkflowFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) return cause.type ?? 'ApplicationFailure';
    if (cause?.cause instanceof ApplicationFailure) return `${cause.name}/${cause.cause.type ?? 'ApplicationFailure'}`;
    return cause?.name ?? 'WorkflowFailedError';
  }
  return err instanceof Error ? err.name : String(err);
}

/** Histories searched, runs among them, and those runs whose history holds the key. */
export async function searchHistories(client: Client, workflowIds: readonly string[]) {
  let runs = 0;
  let leaks = 0;
  await mapLimit(workflowIds, 20, async (workflowId) => {
    let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
    const first = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runId = first.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId ?? runId;
    for (let hops = 0; runId && hops < 1_000; hops++) {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      runs += 1;
      if (containsKey(searchableText(history))) leaks += 1;
      runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
  });
  return { workflows: workflowIds.length, runs, leaks };
}

/** Counts per outcome, as `name n` pairs. */
export function tally(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
}
