/**
 * The catalogue of failure `type` strings. Activities fail only with these; workflows branch on them.
 * Plain constants: safe to import from workflow code.
 */

/** Input failed validation before any request. Not retryable. */
export const INVALID_IMPORT_INPUT = 'InvalidImportInput';
/** `indexHost` is not in `allowedHosts`; nothing was sent. Not retryable. */
export const PINECONE_HOST_NOT_ALLOWED = 'PineconeHostNotAllowed';
/** 400 or 422. Not retryable. */
export const PINECONE_BAD_REQUEST = 'PineconeBadRequest';
/** 401. Not retryable. */
export const PINECONE_UNAUTHORIZED = 'PineconeUnauthorized';
/** 403. Not retryable. */
export const PINECONE_FORBIDDEN = 'PineconeForbidden';
/** 404. Not retryable. */
export const PINECONE_NOT_FOUND = 'PineconeNotFound';
/** 409. Not retryable. */
export const PINECONE_CONFLICT = 'PineconeConflict';
/** 429; `nextRetryDelay` follows `Retry-After` when present. Retryable. */
export const PINECONE_RATE_LIMITED = 'PineconeRateLimited';
/** 5xx. Retryable. */
export const PINECONE_SERVER_ERROR = 'PineconeServerError';
/** Connection refused or reset, request timeout, malformed success body. Retryable. */
export const PINECONE_NETWORK_ERROR = 'PineconeNetworkError';

/** The workflow's import reached `Failed`. Not retryable. */
export const IMPORT_FAILED = 'ImportFailed';
/** The workflow's deadline passed; the import was cancelled. Not retryable. */
export const IMPORT_DEADLINE_EXCEEDED = 'ImportDeadlineExceeded';

/** `setDeadline` was sent while the workflow's import is finished or being cancelled. Not retryable. */
export const IMPORT_NOT_RUNNING = 'ImportNotRunning';

/** Failure types an activity retry policy must never retry. */
export const NON_RETRYABLE_ACTIVITY_FAILURE_TYPES: readonly string[] = [
  INVALID_IMPORT_INPUT,
  PINECONE_HOST_NOT_ALLOWED,
  PINECONE_BAD_REQUEST,
  PINECONE_UNAUTHORIZED,
  PINECONE_FORBIDDEN,
  PINECONE_NOT_FOUND,
  PINECONE_CONFLICT,
];

/** What every activity failure carries in `details[0]`. */
export interface PineconeFailureDetails {
  status?: number;
  code?: string;
  message?: string;
  requestId?: string;
  method: string;
  path: string;
}
