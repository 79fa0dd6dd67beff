/** Runs an activity body with one structured log line on failure or cancellation. Never logs keys or bodies. */
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { PineconeFailureDetails } from '../failures';

/** Fields every log line of an import activity carries. */
export interface ImportLogFields {
  indexHost: string;
  importId?: string;
}

/** Runs `body` with the activity's cancellation signal; logs how it ended when it did not succeed. */
export async function runActivity<T>(
  operation: string,
  fields: ImportLogFields,
  body: (cancellationSignal: AbortSignal, attempt: number) => Promise<T>,
): Promise<T> {
  const { cancellationSignal, info } = Context.current();
  const attempt = info.attempt;
  try {
    return await body(cancellationSignal, attempt);
  } catch (err) {
    if (err instanceof CancelledFailure) {
      log.info(`${operation} cancelled`, { ...fields, attempt });
    } else if (err instanceof ApplicationFailure) {
      const details = err.details?.[0] as Partial<PineconeFailureDetails> | undefined;
      log.warn(`${operation} failed`, {
        ...fields,
        attempt,
        type: err.type,
        status: details?.status,
        code: details?.code,
        requestId: details?.requestId,
        retryable: !err.nonRetryable,
      });
    }
    throw err;
  }
}
