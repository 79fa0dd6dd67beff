import { log } from '@temporalio/activity';
import type { ImportModel, ImportRef } from '../types';
import { validateImportRef } from '../validation';
import { encodePathSegment, type PineconeHttp } from './http';
import { toImportModel } from './import-model';
import { runActivity } from './logging';

/**
 * `describeImport`: `GET /bulk/imports/{id}`, returning the import's model. Read-only, so safe to retry.
 *
 * Fails with non-retryable `InvalidImportInput`, `PineconeHostNotAllowed`, `PineconeBadRequest`,
 * `PineconeUnauthorized`, `PineconeForbidden`, `PineconeNotFound` and `PineconeConflict`; with retryable
 * `PineconeRateLimited`, `PineconeServerError` and `PineconeNetworkError` (also for a malformed body).
 */
export function createDescribeImport(http: PineconeHttp): (input: ImportRef) => Promise<ImportModel> {
  return async function describeImport(input: ImportRef): Promise<ImportModel> {
    const { indexHost, id } = validateImportRef(input);
    const fields = { indexHost, importId: id };
    return runActivity('describeImport', fields, async (cancellationSignal, attempt) => {
      const path = `/bulk/imports/${encodePathSegment(id)}`;
      const model = await http.requestJson(indexHost, { method: 'GET', path }, toImportModel, cancellationSignal);
      log.debug('Import described', { ...fields, attempt, status: model.status });
      return model;
    });
  };
}
