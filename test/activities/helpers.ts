/** Shared pieces of the activity tests: a recording logger, activity runs in a mock context, failure checks. */
import assert from 'node:assert/strict';
import { ApplicationFailure, defaultFailureConverter, defaultPayloadConverter } from '@temporalio/common';
import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { PineconeFailureDetails } from '../../src/failures';

/** The key every test configures; no failure, detail, stack or log line may contain it. */
export const API_KEY = 'pcsk_test_SECRET_4f1c9e7b2d';

/** Every log line an activity writes, rendered as text, so tests can search them. */
export const logLines: string[] = [];

function renderError(value: unknown): unknown {
  return value instanceof Error ? { message: value.message, stack: value.stack } : value;
}

/** Records every log line written by any activity run in this test process into {@link logLines}. */
const logger = new DefaultLogger('TRACE', ({ level, message, meta }) => {
  logLines.push(JSON.stringify({ level, message, meta }, (_key, value: unknown) => renderError(value)));
});

/** A fresh mock activity context (a cancelled one stays cancelled), logging into {@link logLines}. */
export function activityEnvironment(info: Partial<Info> = {}): MockActivityEnvironment {
  return new MockActivityEnvironment({ scheduledTimestampMs: Date.now(), ...info }, { logger });
}

/** Runs `fn(input)` as an activity with `info` (attempt 1, scheduled now, unless overridden). */
export function runActivity<I, R>(fn: (input: I) => Promise<R>, input: I, info: Partial<Info> = {}): Promise<R> {
  return activityEnvironment(info).run(fn, input);
}

/** Resolves to what `promise` rejected with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the activity to fail');
}

/**
 * Everything a failure would carry out of the worker: message, stack, details and the serialized Temporal failure
 * (with its cause chain). Used to prove the key appears nowhere.
 */
export function serializeFailure(err: unknown): string {
  const failure = defaultFailureConverter.errorToFailure(err, defaultPayloadConverter);
  const encoded = JSON.stringify(failure, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value,
  );
  const error = err as Error & { details?: unknown };
  return [error.message, error.stack, JSON.stringify(error.details), encoded].join('\n');
}

export interface ExpectedFailure {
  type: string;
  nonRetryable: boolean;
  /** Compared in full when given; otherwise only method and path are checked. */
  details?: PineconeFailureDetails;
  method?: string;
  path?: string;
}

/** Asserts `err` is the ApplicationFailure described, with no trace of the key; returns it for further checks. */
export function assertFailure(err: unknown, expected: ExpectedFailure): ApplicationFailure & { details: unknown[] } {
  assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
  assert.equal(err.type, expected.type);
  assert.equal(err.nonRetryable, expected.nonRetryable);
  assert.ok(!serializeFailure(err).includes(API_KEY), 'the API key leaked into the failure');
  assert.ok(Array.isArray(err.details) && err.details.length === 1, 'details must hold exactly one entry');
  const details = err.details[0] as PineconeFailureDetails;
  if (expected.details !== undefined) assert.deepEqual(details, expected.details);
  if (expected.method !== undefined) assert.equal(details.method, expected.method);
  if (expected.path !== undefined) assert.equal(details.path, expected.path);
  assert.ok(!err.message.includes('\n'), 'the message must be one line');
  return err as ApplicationFailure & { details: unknown[] };
}

/** Asserts the key never reached a log line. */
export function assertKeyNotLogged(): void {
  const leaked = logLines.filter((line) => line.includes(API_KEY));
  assert.deepEqual(leaked, [], 'the API key leaked into a log line');
}
