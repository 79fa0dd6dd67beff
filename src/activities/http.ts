/**
 * The only module that speaks HTTP (and imports undici). It turns an `indexHost` into an origin the key may be
 * sent to, sends one request with the standard headers under one time budget, and turns every outcome that is not
 * a usable 2xx into a failure from the decision table in `classify.ts`. It never retries: Temporal does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { Agent, type Dispatcher } from 'undici';
import { formatOrigin, parseIndexHost, type ParsedIndexHost } from '../validation';
import { hostNotAllowed, toFailure, type FailureContext, type Outcome } from './classify';

export const DEFAULT_API_VERSION = '2025-04';
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = ['*.pinecone.io'];
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Error bodies are read up to this size for their message; the rest is discarded. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** A list page of 100 imports is far below this; anything larger is not a Pinecone answer. */
const MAX_SUCCESS_BODY_BYTES = 8 * 1024 * 1024;
const MAX_DETAIL_MESSAGE_LENGTH = 1000;
const REQUEST_ID_HEADERS = ['x-pinecone-request-id', 'x-request-id'];
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

const USER_AGENT = `temporal-pinecone-import/${packageVersion()}`;

function packageVersion(): string {
  try {
    // Two levels up from both src/activities (ts-node) and lib/activities (build) is the package root.
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    // A bundled deployment may not ship package.json; the User-Agent still names the package.
    return 'unknown';
  }
}

/** Settings of the HTTP layer, resolved from `ImportActivitiesOptions`. */
export interface HttpSettings {
  apiKey: string;
  apiVersion?: string;
  allowedHosts?: readonly string[];
  dispatcher?: Dispatcher;
  requestTimeoutMs?: number;
}

/** One request to the data plane. `path` is already encoded and carries no query string. */
export interface PineconeRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

/**
 * Both methods throw `PineconeHostNotAllowed` before connecting when the host is not allowed, a classified
 * `ApplicationFailure` for every other failure, and the activity's `CancelledFailure` when `cancellationSignal`
 * fires, which aborts the request at once.
 */
export interface PineconeHttp {
  /**
   * Sends `request` and maps the JSON body of the 2xx answer with `parse`; `parse` returning undefined means the
   * body is not what the spec promises (a retryable `PineconeNetworkError`).
   */
  requestJson<T>(
    indexHost: string,
    request: PineconeRequest,
    parse: (body: unknown) => T | undefined,
    cancellationSignal: AbortSignal,
  ): Promise<T>;
  /** Sends `request`; a 2xx status alone is success, and is returned; the body is discarded. */
  requestStatus(indexHost: string, request: PineconeRequest, cancellationSignal: AbortSignal): Promise<number>;
}

/**
 * Percent-encodes an id as one path segment. `encodeURIComponent` leaves dots alone, so ids made only of dots are
 * encoded by hand: `..` must not climb out of `/bulk/imports/`.
 */
export function encodePathSegment(id: string): string {
  const encoded = encodeURIComponent(id);
  return /^\.+$/.test(encoded) ? encoded.replace(/\./g, '%2E') : encoded;
}

function hostMatches(entry: string, hostname: string): boolean {
  if (entry.startsWith('*.')) {
    const suffix = entry.slice(1);
    return hostname.length > suffix.length && hostname.endsWith(suffix);
  }
  return hostname === entry || hostname === `[${entry}]`;
}

/** https to any listed host; plain http only to a loopback host listed by its exact name. */
export function isHostAllowed(target: ParsedIndexHost, allowedHosts: readonly string[]): boolean {
  return allowedHosts.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (entry === '' || !hostMatches(entry, target.hostname)) return false;
    return target.scheme === 'https' || (!entry.startsWith('*.') && LOOPBACK.test(target.hostname));
  });
}

function withQuery(path: string, query: PineconeRequest['query']): string {
  const params = Object.entries(query ?? {}).filter((entry): entry is [string, string | number] => {
    return entry[1] !== undefined;
  });
  if (params.length === 0) return path;
  return `${path}?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}`;
}

function firstHeader(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads at most `limit` bytes; a longer body is abandoned, which closes the connection instead of reusing it. */
async function readBounded(
  body: Dispatcher.ResponseData['body'],
  limit: number,
): Promise<{ text: string; full: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit) {
      chunks.push(chunk.subarray(0, limit - size));
      return { text: Buffer.concat(chunks).toString('utf8'), full: false };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), full: true };
}

function errorCodeOf(err: unknown): string | undefined {
  for (let current = err, depth = 0; current !== null && typeof current === 'object' && depth < 3; depth++) {
    const code = (current as { code?: unknown }).code;
    // Only identifier-like codes: never copy free text from an error into a failure.
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Creates the HTTP layer. Without an injected dispatcher, each call creates one keep-alive Agent, shared by every
 * activity built on this layer; it holds no per-activity state.
 */
export function createPineconeHttp(settings: HttpSettings): PineconeHttp {
  const timeoutMs = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const allowedHosts = settings.allowedHosts ?? DEFAULT_ALLOWED_HOSTS;
  const { apiKey } = settings;
  const dispatcher =
    settings.dispatcher ??
    new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const headers = {
    'api-key': apiKey,
    'x-pinecone-api-version': settings.apiVersion ?? DEFAULT_API_VERSION,
    'user-agent': USER_AGENT,
    accept: 'application/json',
  };

  /** Server text goes into failure details: one line, bounded, and never the key even if a server echoes it. */
  const sanitize = (text: string, max: number): string => {
    const line = text.replace(/\s+/g, ' ').trim();
    const redacted = apiKey.length > 0 ? line.split(apiKey).join('[redacted]') : line;
    return redacted.length > max ? `${redacted.slice(0, max)}…` : redacted;
  };

  const parseErrorBody = (text: string): Pick<FailureContext, 'code' | 'message'> => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML or plain text): the text itself is the message.
      return text.trim() === '' ? {} : { message: sanitize(text, MAX_DETAIL_MESSAGE_LENGTH) };
    }
    if (json === null || typeof json !== 'object') return { message: sanitize(text, MAX_DETAIL_MESSAGE_LENGTH) };
    // Pinecone answers `{ error: { code, message }, status }`; the spec's rpcStatus is `{ code, message }`.
    const outer = json as { error?: unknown };
    const inner = (outer.error !== null && typeof outer.error === 'object' ? outer.error : json) as {
      code?: unknown;
      message?: unknown;
    };
    const result: Pick<FailureContext, 'code' | 'message'> = {};
    if (typeof inner.code === 'string' || typeof inner.code === 'number') {
      result.code = sanitize(String(inner.code), 100);
    }
    if (typeof inner.message === 'string') result.message = sanitize(inner.message, MAX_DETAIL_MESSAGE_LENGTH);
    return result;
  };

  /** Sends `request`; returns the status and, when asked for and complete, the text of the 2xx body. */
  const send = async (
    indexHost: string,
    request: PineconeRequest,
    readSuccessBody: boolean,
    cancellationSignal: AbortSignal,
  ): Promise<{ status: number; text?: string }> => {
    const target = parseIndexHost(indexHost);
    const { method, path } = request;
    if (!isHostAllowed(target, allowedHosts)) throw hostNotAllowed(method, path, target.scheme, target.hostname);

    // The activity's own signal goes to undici as it is, and undici's connect, headers and body timeouts bound the
    // request: a controller and timer of our own per request cost a quarter of a loopback call (measured with
    // bench/cancel-call.ts). A body trickling in under `timeoutMs` per chunk is bounded by the size limits and by
    // the activity's start-to-close timeout, whose expiry aborts this signal.
    const transportFailure = (err: unknown): Error => {
      if (cancellationSignal.aborted) {
        const reason: unknown = cancellationSignal.reason;
        return reason instanceof CancelledFailure ? reason : new CancelledFailure('Activity cancelled');
      }
      const code = errorCodeOf(err);
      const outcome: Outcome =
        code !== undefined && TIMEOUT_CODES.has(code) ? { kind: 'timeout', timeoutMs } : { kind: 'transport', code };
      return toFailure({ method, path, outcome, nowMs: Date.now() });
    };

    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request({
        origin: formatOrigin(target),
        path: withQuery(path, request.query),
        method,
        headers: request.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: cancellationSignal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (err) {
      throw transportFailure(err);
    }

    const { statusCode: status } = response;
    const success = status >= 200 && status <= 299;
    let body: { text: string; full: boolean } | undefined;
    try {
      if (success && !readSuccessBody) {
        await response.body.dump();
      } else {
        body = await readBounded(response.body, success ? MAX_SUCCESS_BODY_BYTES : MAX_ERROR_BODY_BYTES);
      }
    } catch (err) {
      throw transportFailure(err);
    }

    if (!success) {
      const requestId = REQUEST_ID_HEADERS.map((name) => firstHeader(response.headers, name)).find(Boolean);
      throw toFailure({
        method,
        path,
        outcome: { kind: 'status', status },
        ...parseErrorBody(body?.text ?? ''),
        ...(requestId !== undefined ? { requestId: sanitize(requestId, 200) } : {}),
        retryAfter: firstHeader(response.headers, 'retry-after'),
        nowMs: Date.now(),
      });
    }
    // A truncated success body cannot be parsed; it is reported as malformed.
    return body === undefined ? { status } : { status, ...(body.full ? { text: body.text } : {}) };
  };

  return {
    async requestJson<T>(
      indexHost: string,
      request: PineconeRequest,
      parse: (body: unknown) => T | undefined,
      cancellationSignal: AbortSignal,
    ): Promise<T> {
      const { status, text } = await send(indexHost, request, true, cancellationSignal);
      let result: T | undefined;
      try {
        result = text === undefined ? undefined : parse(JSON.parse(text));
      } catch {
        // Not JSON: reported below as a malformed body, the same as JSON of the wrong shape.
        result = undefined;
      }
      if (result === undefined) {
        throw toFailure({
          method: request.method,
          path: request.path,
          outcome: { kind: 'malformed', status },
          nowMs: Date.now(),
        });
      }
      return result;
    },

    async requestStatus(indexHost: string, request: PineconeRequest, cancellationSignal: AbortSignal) {
      const { status } = await send(indexHost, request, false, cancellationSignal);
      return status;
    },
  };
}
