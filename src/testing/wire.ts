/**
 * Wire-level pieces of the emulator: the response shape handlers produce, rpcStatus error bodies, and reading
 * requests and writing responses on node:http.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A response computed by a handler before it is written; faults may replace or withhold it. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** gRPC status codes Pinecone's gateway puts in the `code` field of rpcStatus bodies. */
export const RpcCode = {
  InvalidArgument: 3,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  Unauthenticated: 16,
} as const;

const JSON_HEADERS = { 'content-type': 'application/json' };

/** A JSON response; `headers` may override the content type. */
export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): WireResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(value) };
}

/** An error response whose body has the spec's `rpcStatus` shape. */
export function rpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): WireResponse {
  return jsonResponse(status, { code, message, details: [] }, headers);
}

/** The gRPC code a gateway would pair with an HTTP status, for error bodies the caller did not spell out. */
export function rpcCodeForStatus(status: number): number {
  if (status === 400 || status === 422) return RpcCode.InvalidArgument;
  if (status === 401) return RpcCode.Unauthenticated;
  if (status === 403) return RpcCode.PermissionDenied;
  if (status === 404) return RpcCode.NotFound;
  if (status === 409) return RpcCode.AlreadyExists;
  if (status === 429) return RpcCode.ResourceExhausted;
  if (status === 501) return RpcCode.Unimplemented;
  if (status === 503) return RpcCode.Unavailable;
  return RpcCode.Internal;
}

/** Reads the whole request body, so that no request is left undrained whatever the response. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes the whole response with a content length, header names lower-cased so that later ones win. */
export function writeResponse(res: ServerResponse, response: WireResponse): void {
  const body = Buffer.from(response.body, 'utf8');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) headers[name.toLowerCase()] = value;
  headers['content-length'] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}

/** Lower-cased header names with repeated values joined, as the request log exposes them. */
export function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
