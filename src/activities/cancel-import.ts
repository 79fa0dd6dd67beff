import { log } from '@temporalio/activity';
import type { ImportRef } from '../types';
import { validateImportRef } from '../validation';
import { encodePathSegment, type PineconeHttp } from './http';
import { runActivity } from './logging';

/**
 * `cancelImport`: `DELETE /bulk/imports/{id}`. Idempotent: a 200 is success whether the import was running or had
 * already finished (Pinecone ignores cancels of finished imports), and the response body is not inspected.
 *
 * Fails with non-retryable `InvalidImportInput`, `PineconeHostNotAllowed`, `PineconeBadRequest`,
 * `PineconeUnauthorized`, `PineconeForbidden`, `PineconeNotFound` (unknown id: nothing left to cancel) and
 * `PineconeConflict`; with retryable `PineconeRateLimited`, `PineconeServerError` and `PineconeNetworkError`.
 */
export function createCancelImport(http: PineconeHttp): (input: ImportRef) => Promise<void> {
  return async function cancelImport(input: ImportRef): Promise<void> {
    const { indexHost, id } = validateImportRef(input);
    const fields = { indexHost, importId: id };
    await runActivity('cancelImport', fields, async (cancellationSignal, attempt) => {
      const path = `/bulk/imports/${encodePathSegment(id)}`;
      const status = await http.requestStatus(indexHost, { method: 'DELETE', path }, cancellationSignal);
      log.info('Import cancel accepted', { ...fields, attempt, status });
    });
  };
}
