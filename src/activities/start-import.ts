import { Context, log } from '@temporalio/activity';
import type { ImportModel, StartImportInput } from '../types';
import { validateStartImportInput } from '../validation';
import type { PineconeHttp } from './http';
import { toStartImportResult } from './import-model';
import { fetchImportsPage } from './list-imports';
import { runActivity } from './logging';
import { mayBeCreatedByStart, RECONCILE_CLOCK_SKEW_MS } from './options';

/** Pages of 100 listed while reconciling; Pinecone lists recent imports only, so this is far beyond a real list. */
export const RECONCILE_MAX_PAGES = 50;

/**
 * Finds the import an earlier attempt of this activity may have created: the earliest listed import with the same
 * `uri` whose `createdAt` is at or after `sinceMs`. Imports without a parseable `createdAt` are never adopted.
 */
async function findEarlierImport(
  http: PineconeHttp,
  input: { indexHost: string; uri: string },
  sinceMs: number,
  cancellationSignal: AbortSignal,
): Promise<ImportModel | undefined> {
  let earliest: { model: ImportModel; createdMs: number } | undefined;
  let paginationToken: string | undefined;
  for (let page = 0; page < RECONCILE_MAX_PAGES; page++) {
    const result = await fetchImportsPage(
      http,
      { indexHost: input.indexHost, limit: 100, paginationToken },
      cancellationSignal,
    );
    for (const model of result.data) {
      if (!mayBeCreatedByStart(model, input.uri, sinceMs)) continue;
      const createdMs = Date.parse(model.createdAt!);
      if (earliest === undefined || createdMs < earliest.createdMs) earliest = { model, createdMs };
    }
    paginationToken = result.next;
    if (paginationToken === undefined) return earliest?.model;
  }
  // TODO(reconcile-bound): an index with more than 5,000 listed imports is not fully searched; an import created
  // by a lost response beyond that could be duplicated. Pinecone offers no filter by uri to do better.
  log.warn('startImport reconcile stopped at the page bound', { indexHost: input.indexHost });
  return earliest?.model;
}

/**
 * `startImport`: `POST /bulk/imports` with `{ uri, integrationId?, errorMode: { onError } }`, returning the new
 * import's id. `errorMode` is always sent, default `abort`, so bad records fail the import instead of vanishing.
 *
 * Not idempotent at Pinecone (there is no idempotency key), so a response lost after Pinecone created the import
 * would, on retry, create a second one. Reconcile rule: on every attempt after the first, the activity first lists
 * the index's imports (all pages, at most 50) and adopts the earliest one with the same `uri` whose `createdAt` is
 * no earlier than the first attempt's scheduled time minus 5 minutes of clock skew; only when none exists does it
 * post again. Consequence: a concurrent import of the same `uri` started elsewhere in that window is adopted too.
 *
 * Fails with non-retryable `InvalidImportInput`, `PineconeHostNotAllowed`, `PineconeBadRequest`,
 * `PineconeUnauthorized`, `PineconeForbidden`, `PineconeNotFound` and `PineconeConflict` (e.g. too many imports);
 * with retryable `PineconeRateLimited`, `PineconeServerError` and `PineconeNetworkError`.
 */
export function createStartImport(http: PineconeHttp): (input: StartImportInput) => Promise<{ id: string }> {
  return async function startImport(input: StartImportInput): Promise<{ id: string }> {
    const valid = validateStartImportInput(input);
    const { indexHost } = valid;
    return runActivity('startImport', { indexHost }, async (cancellationSignal, attempt) => {
      if (attempt > 1) {
        const sinceMs = Context.current().info.scheduledTimestampMs - RECONCILE_CLOCK_SKEW_MS;
        const adopted = await findEarlierImport(http, valid, sinceMs, cancellationSignal);
        if (adopted !== undefined) {
          log.info('Import adopted from an earlier attempt', { indexHost, importId: adopted.id, attempt });
          return { id: adopted.id };
        }
      }

      const body = {
        uri: valid.uri,
        ...(valid.integrationId !== undefined ? { integrationId: valid.integrationId } : {}),
        errorMode: { onError: valid.errorMode },
      };
      const request = { method: 'POST', path: '/bulk/imports', body } as const;
      const started = await http.requestJson(indexHost, request, toStartImportResult, cancellationSignal);
      log.info('Import started', { indexHost, importId: started.id, attempt });
      return started;
    });
  };
}
