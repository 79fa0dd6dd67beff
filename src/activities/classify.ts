/**
 * The one decision table from an HTTP outcome to a failure type and its retryability, and the construction of the
 * `ApplicationFailure` that carries it. Knows nothing of undici: transport errors arrive as their `code` strings.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  PINECONE_BAD_REQUEST,
  PINECONE_CONFLICT,
  PINECONE_FORBIDDEN,
  PINECONE_HOST_NOT_ALLOWED,
  PINECONE_NETWORK_ERROR,
  PINECONE_NOT_FOUND,
  PINECONE_RATE_LIMITED,
  PINECONE_SERVER_ERROR,
  PINECONE_UNAUTHORIZED,
  type PineconeFailureDetails,
} from '../failures';

/** Longest `nextRetryDelay` a `Retry-After` header may ask for; a longer wait is the retry policy's business. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** What happened to one request, as far as classification cares. */
export type Outcome =
  | { kind: 'status'; status: number }
  | { kind: 'transport'; code?: string }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'malformed'; status: number };

interface Decision {
  type: string;
  retryable: boolean;
  /** Whether a `Retry-After` header sets `nextRetryDelay`. */
  honoursRetryAfter?: boolean;
}

interface Rule extends Decision {
  matches(outcome: Outcome): boolean;
}

const status = (predicate: (code: number) => boolean) => (outcome: Outcome) =>
  outcome.kind === 'status' && predicate(outcome.status);

/** First match wins. Every row says why it is (not) retryable. */
const DECISION_TABLE: readonly Rule[] = [
  // The request is malformed; sending it again yields the same answer.
  { matches: status((s) => s === 400 || s === 422), type: PINECONE_BAD_REQUEST, retryable: false },
  // The key is wrong or revoked; only an operator can fix that.
  { matches: status((s) => s === 401), type: PINECONE_UNAUTHORIZED, retryable: false },
  // The key lacks permission on this index; only an operator can fix that.
  { matches: status((s) => s === 403), type: PINECONE_FORBIDDEN, retryable: false },
  // The import (or index) does not exist; it will not appear by waiting.
  { matches: status((s) => s === 404), type: PINECONE_NOT_FOUND, retryable: false },
  // Pinecone refuses the operation in the current state (e.g. too many imports); the caller must decide.
  { matches: status((s) => s === 409), type: PINECONE_CONFLICT, retryable: false },
  // The server timed out waiting for our request; a fresh request usually succeeds.
  { matches: status((s) => s === 408), type: PINECONE_NETWORK_ERROR, retryable: true },
  // Throttled: retry, after the wait the server asks for.
  { matches: status((s) => s === 429), type: PINECONE_RATE_LIMITED, retryable: true, honoursRetryAfter: true },
  // Unavailable: transient by definition, and may say when to come back.
  { matches: status((s) => s === 503), type: PINECONE_SERVER_ERROR, retryable: true, honoursRetryAfter: true },
  // Any other server-side fault is presumed transient.
  { matches: status((s) => s >= 500 && s <= 599), type: PINECONE_SERVER_ERROR, retryable: true },
  // Any other 4xx is a client error this package does not know how to fix by resending.
  { matches: status((s) => s >= 400 && s <= 499), type: PINECONE_BAD_REQUEST, retryable: false },
  // 1xx/3xx: redirects are never followed (the key stays on the allowed host), so resending cannot help.
  { matches: status(() => true), type: PINECONE_BAD_REQUEST, retryable: false },
  // Refused, reset, DNS: the network or the server is briefly away.
  { matches: (o) => o.kind === 'transport', type: PINECONE_NETWORK_ERROR, retryable: true },
  // No answer within requestTimeoutMs: presumed transient, and the next attempt gets a fresh budget.
  { matches: (o) => o.kind === 'timeout', type: PINECONE_NETWORK_ERROR, retryable: true },
  // A 2xx whose body is not what the spec promises, most likely truncated by a proxy: try again.
  { matches: (o) => o.kind === 'malformed', type: PINECONE_NETWORK_ERROR, retryable: true },
];

/** Looks `outcome` up in the decision table. */
export function decide(outcome: Outcome): Decision {
  const rule = DECISION_TABLE.find((candidate) => candidate.matches(outcome));
  // The table's last status row and the kind rows cover every Outcome; this is unreachable.
  return rule ?? { type: PINECONE_NETWORK_ERROR, retryable: true };
}

/**
 * Parses `Retry-After` (delta-seconds or an HTTP date) into milliseconds from `nowMs`, capped at
 * {@link MAX_RETRY_AFTER_MS}. Returns undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  const trimmed = value?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  let delayMs: number;
  if (/^\d+$/.test(trimmed)) {
    delayMs = Number(trimmed) * 1000;
  } else {
    // HTTP dates (IMF-fixdate, RFC 850, asctime) all start with a day name; Date.parse alone accepts too much.
    const at = /^[A-Za-z]{3,9},? /.test(trimmed) ? Date.parse(trimmed) : NaN;
    if (Number.isNaN(at)) return undefined;
    delayMs = at - nowMs;
  }
  return Math.min(Math.max(delayMs, 0), MAX_RETRY_AFTER_MS);
}

/** What the HTTP layer knows about a failed request, minus anything secret. */
export interface FailureContext {
  method: string;
  /** Request path without the query string. */
  path: string;
  outcome: Outcome;
  /** Parsed from the error body (`code`, `message`) and the request id header. */
  code?: string;
  message?: string;
  requestId?: string;
  retryAfter?: string;
  nowMs: number;
}

function describeOutcome(context: FailureContext): string {
  const { outcome } = context;
  switch (outcome.kind) {
    case 'status':
      return `failed with ${outcome.status}`;
    case 'malformed':
      return `returned a malformed body with ${outcome.status}`;
    case 'timeout':
      return `timed out after ${outcome.timeoutMs} ms`;
    case 'transport':
      return `failed: ${outcome.code ?? 'network error'}`;
  }
}

/**
 * Builds the failure for `context`: type and retryability from the decision table, a one-line message naming the
 * request, details `{ status?, code?, message?, requestId?, method, path }`.
 */
export function toFailure(context: FailureContext): ApplicationFailure {
  const decision = decide(context.outcome);
  const { outcome } = context;
  const details: PineconeFailureDetails = { method: context.method, path: context.path };
  if (outcome.kind === 'status' || outcome.kind === 'malformed') details.status = outcome.status;
  if (outcome.kind === 'transport' && outcome.code !== undefined) details.code = outcome.code;
  if (outcome.kind === 'timeout') details.code = 'RequestTimeout';
  if (context.code !== undefined) details.code = context.code;
  if (context.message !== undefined) details.message = context.message;
  if (context.requestId !== undefined) details.requestId = context.requestId;

  const nextRetryDelay = decision.honoursRetryAfter ? parseRetryAfter(context.retryAfter, context.nowMs) : undefined;
  return ApplicationFailure.create({
    type: decision.type,
    nonRetryable: !decision.retryable,
    message: `${context.method} ${context.path} ${describeOutcome(context)}`,
    details: [details],
    ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}),
  });
}

/** The key may not be sent to `hostname` over `scheme`: nothing was sent, and retrying cannot change the list. */
export function hostNotAllowed(method: string, path: string, scheme: string, hostname: string): ApplicationFailure {
  const details: PineconeFailureDetails = { method, path };
  return ApplicationFailure.create({
    type: PINECONE_HOST_NOT_ALLOWED,
    nonRetryable: true,
    message: `${method} ${path} refused: ${scheme}://${hostname} is not in allowedHosts`,
    details: [details],
  });
}
