/**
 * The four bulk-import operations of the 2025-04 data-plane API, as pure functions from a parsed request to a
 * response. Validation follows the spec's StartImportRequest schema and parameter bounds.
 */
import type { ImportStore } from './store';
import { jsonResponse, RpcCode, rpcError, type WireResponse } from './wire';

export interface ParsedRequest {
  method: string;
  /** Path without the query string, still percent-encoded. */
  rawPath: string;
  query: URLSearchParams;
  body: string;
}

const COLLECTION_PATH = '/bulk/imports';
const ITEM_PATH = /^\/bulk\/imports\/([^/]+)$/;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 100;
const MAX_ID_LENGTH = 1000;
const MAX_URI_LENGTH = 1500;
const MAX_INTEGRATION_ID_LENGTH = 1000;
const URI_SCHEMES = ['s3://', 'gs://', 'https://'];
const START_FIELDS = new Set(['uri', 'integrationId', 'errorMode']);

export function route(store: ImportStore, req: ParsedRequest): WireResponse {
  if (req.rawPath === COLLECTION_PATH) {
    if (req.method === 'POST') return startImport(store, req.body);
    if (req.method === 'GET') return listImports(store, req.query);
    return methodNotAllowed(req.method, 'GET, POST');
  }

  const item = ITEM_PATH.exec(req.rawPath);
  if (item?.[1] !== undefined) {
    if (req.method !== 'GET' && req.method !== 'DELETE') return methodNotAllowed(req.method, 'GET, DELETE');
    const id = decodeId(item[1]);
    if (id === undefined) return invalid('id is not a valid percent-encoded path segment');
    if (characters(id) > MAX_ID_LENGTH) return invalid(`id must be at most ${MAX_ID_LENGTH} characters`);
    return req.method === 'GET' ? describeImport(store, id) : cancelImport(store, id);
  }

  return rpcError(404, RpcCode.NotFound, `no route for ${req.method} ${req.rawPath}`);
}

function startImport(store: ImportStore, body: string): WireResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return invalid('request body is not valid JSON');
  }
  if (!isRecord(parsed)) return invalid('request body must be a JSON object');

  const unknownField = Object.keys(parsed).find((key) => !START_FIELDS.has(key));
  if (unknownField !== undefined) return invalid(`unknown field ${JSON.stringify(unknownField)}`);

  const { uri, integrationId, errorMode } = parsed;
  if (uri === undefined || uri === null || uri === '') return invalid('uri is required');
  if (typeof uri !== 'string') return invalid('uri must be a string');
  if (characters(uri) > MAX_URI_LENGTH) return invalid(`uri must be at most ${MAX_URI_LENGTH} characters`);
  if (!URI_SCHEMES.some((scheme) => uri.startsWith(scheme))) {
    return invalid(`uri must start with one of ${URI_SCHEMES.join(', ')}`);
  }
  if (integrationId !== undefined && integrationId !== null) {
    if (typeof integrationId !== 'string') return invalid('integrationId must be a string');
    if (characters(integrationId) > MAX_INTEGRATION_ID_LENGTH) {
      return invalid(`integrationId must be at most ${MAX_INTEGRATION_ID_LENGTH} characters`);
    }
  }
  if (!isValidErrorMode(errorMode)) return invalid('errorMode.onError must be "abort" or "continue"');

  const created = store.create(uri);
  return jsonResponse(200, { id: created.id });
}

/** Absent or null means Pinecone's default; the emulator does not read data, so the mode changes nothing here. */
function isValidErrorMode(errorMode: unknown): boolean {
  if (errorMode === undefined || errorMode === null) return true;
  if (!isRecord(errorMode) || Object.keys(errorMode).some((key) => key !== 'onError')) return false;
  const onError = errorMode.onError;
  return onError === undefined || onError === null || onError === 'abort' || onError === 'continue';
}

function describeImport(store: ImportStore, id: string): WireResponse {
  const model = store.get(id);
  return model === undefined ? notFound(id) : jsonResponse(200, model);
}

function cancelImport(store: ImportStore, id: string): WireResponse {
  return store.cancel(id) ? jsonResponse(200, {}) : notFound(id);
}

function listImports(store: ImportStore, query: URLSearchParams): WireResponse {
  const limitParam = query.get('limit');
  let limit = DEFAULT_LIMIT;
  if (limitParam !== null) {
    if (!/^\d+$/.test(limitParam)) return invalid('limit must be an integer');
    limit = Number(limitParam);
    if (limit < 1 || limit > MAX_LIMIT) return invalid(`limit must be between 1 and ${MAX_LIMIT}`);
  }

  const token = query.get('paginationToken');
  let afterSeq = 0;
  if (token !== null && token !== '') {
    const decoded = decodeToken(token);
    if (decoded === undefined) return invalid('paginationToken is not valid');
    afterSeq = decoded;
  }

  const page = store.page(limit, afterSeq);
  const body: { data: unknown[]; pagination?: { next: string } } = { data: page.data };
  if (page.nextAfterSeq !== undefined) body.pagination = { next: encodeToken(page.nextAfterSeq) };
  return jsonResponse(200, body);
}

/** Tokens are opaque to callers; inside they name the last import already returned. */
function encodeToken(afterSeq: number): string {
  return Buffer.from(JSON.stringify({ after: afterSeq }), 'utf8').toString('base64url');
}

function decodeToken(token: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isRecord(parsed) && Number.isSafeInteger(parsed.after) && (parsed.after as number) >= 0) {
      return parsed.after as number;
    }
  } catch {
    // Not base64url JSON: reported below like any other token this emulator never issued.
  }
  return undefined;
}

function decodeId(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Length in code points, as the spec's JSON Schema bounds count, not in UTF-16 units. */
function characters(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): WireResponse {
  return rpcError(400, RpcCode.InvalidArgument, message);
}

function notFound(id: string): WireResponse {
  return rpcError(404, RpcCode.NotFound, `import ${JSON.stringify(id)} not found`);
}

function methodNotAllowed(method: string, allow: string): WireResponse {
  return rpcError(405, RpcCode.Unimplemented, `method ${method} not allowed`, { allow });
}
