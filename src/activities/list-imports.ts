import { log } from '@temporalio/activity';
import type { ListImportsInput, ListImportsResult } from '../types';
import { validateListImportsInput } from '../validation';
import type { PineconeHttp } from './http';
import { toListImportsResult } from './import-model';
import { runActivity } from './logging';

/** Sends one `GET /bulk/imports` page request. Shared by `listImports` and the reconcile step of `startImport`. */
export async function fetchImportsPage(
  http: PineconeHttp,
  input: ListImportsInput,
  cancellationSignal: AbortSignal,
): Promise<ListImportsResult> {
  const query = { limit: input.limit, paginationToken: input.paginationToken };
  const request = { method: 'GET', path: '/bulk/imports', query } as const;
  return http.requestJson(input.indexHost, request, toListImportsResult, cancellationSignal);
}

/**
 * `listImports`: `GET /bulk/imports?limit=&paginationToken=`, one page of recent and ongoing imports, `next` set
 * when there are more. Read-only, so safe to retry.
 *
 * Fails with non-retryable `InvalidImportInput`, `PineconeHostNotAllowed`, `PineconeBadRequest` (e.g. a stale
 * pagination token), `PineconeUnauthorized`, `PineconeForbidden`, `PineconeNotFound` and `PineconeConflict`; with
 * retryable `PineconeRateLimited`, `PineconeServerError` and `PineconeNetworkError` (also for a malformed body).
 */
export function createListImports(http: PineconeHttp): (input: ListImportsInput) => Promise<ListImportsResult> {
  return async function listImports(input: ListImportsInput): Promise<ListImportsResult> {
    const valid = validateListImportsInput(input);
    return runActivity('listImports', { indexHost: valid.indexHost }, async (cancellationSignal, attempt) => {
      const page = await fetchImportsPage(http, valid, cancellationSignal);
      log.debug('Imports listed', { indexHost: valid.indexHost, attempt, count: page.data.length });
      return page;
    });
  };
}
