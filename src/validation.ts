/**
 * Input validation for the import activities and the workflow. Sandbox-safe: it imports only
 * `@temporalio/common` and the failure catalogue, and uses no Node.js API (not even `URL`), so workflow code can
 * reject a bad input before scheduling an activity.
 *
 * Every validator throws a non-retryable `ApplicationFailure` of type `InvalidImportInput` whose message names the
 * field. Values are never echoed into the message: they may be long, and callers log failures.
 */
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_IMPORT_INPUT } from './failures';
import type { ImportErrorMode, ImportRef, ListImportsInput, StartImportInput } from './types';

const MAX_ID_LENGTH = 1000;
const MAX_URI_LENGTH = 1500;
const MAX_INTEGRATION_ID_LENGTH = 1000;
const MAX_PAGINATION_TOKEN_LENGTH = 4096;
const MAX_INDEX_HOST_LENGTH = 512;
const MAX_LIMIT = 100;
const URI_SCHEMES = ['s3://', 'gs://', 'https://'] as const;
const ERROR_MODES: readonly ImportErrorMode[] = ['abort', 'continue'];

// A lone surrogate cannot be percent-encoded (encodeURIComponent throws) nor sent as UTF-8.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001F\u007F]/;
const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
const IPV6_LITERAL = /^\[[0-9A-Fa-f:.]+\]$/;
// scheme://host[:port] with at most a trailing slash: no credentials, path, query or fragment.
const ORIGIN = /^(https?):\/\/([^/?#@:[\]]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?\/?$/i;
const BARE_HOST = /^([^/?#@:[\]]+)(?::(\d{1,5}))?$/;

/**
 * An `indexHost` split into the parts an origin is built from: hostname lower-cased (IPv6 keeps its brackets), port
 * undefined when it is the scheme's default.
 */
export interface ParsedIndexHost {
  scheme: 'http' | 'https';
  hostname: string;
  port?: number;
}

/** Throws the `InvalidImportInput` failure for `field`. */
export function invalidInput(field: string, requirement: string): never {
  throw ApplicationFailure.create({
    type: INVALID_IMPORT_INPUT,
    nonRetryable: true,
    message: `Invalid ${field}: ${requirement}`,
    details: [{ field }],
  });
}

function codePointLength(value: string): number {
  let length = 0;
  for (const _ of value) length++;
  return length;
}

function requireString(value: unknown, field: string, min: number, max: number): string {
  if (typeof value !== 'string') return invalidInput(field, 'must be a string');
  const length = value.length <= max ? value.length : codePointLength(value);
  if (length < min || length > max) {
    return invalidInput(field, min === max ? `must be ${min} characters` : `must be ${min} to ${max} characters`);
  }
  if (LONE_SURROGATE.test(value)) return invalidInput(field, 'must be well-formed Unicode');
  return value;
}

function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** An import id: 1 to 1000 characters of well-formed Unicode. */
export function validateId(value: unknown, field = 'id'): string {
  return requireString(value, field, 1, MAX_ID_LENGTH);
}

/** The data location: 1 to 1500 characters, `s3://`, `gs://` or `https://`, something after the scheme. */
export function validateUri(value: unknown, field = 'uri'): string {
  const uri = requireString(value, field, 1, MAX_URI_LENGTH);
  const scheme = URI_SCHEMES.find((prefix) => uri.startsWith(prefix));
  if (scheme === undefined || uri.length === scheme.length) {
    return invalidInput(field, 'must start with s3://, gs:// or https:// and name a location');
  }
  if (CONTROL_CHARACTER.test(uri)) return invalidInput(field, 'must not contain control characters');
  return uri;
}

/** Optional storage integration id: absent, or 1 to 1000 characters. */
export function validateIntegrationId(value: unknown, field = 'integrationId'): string | undefined {
  return isAbsent(value) ? undefined : requireString(value, field, 1, MAX_INTEGRATION_ID_LENGTH);
}

/** Optional error mode: absent means `abort`, so bad records fail the import instead of vanishing. */
export function validateErrorMode(value: unknown, field = 'errorMode'): ImportErrorMode {
  if (isAbsent(value)) return 'abort';
  if (!ERROR_MODES.includes(value as ImportErrorMode)) return invalidInput(field, "must be 'abort' or 'continue'");
  return value as ImportErrorMode;
}

/** Optional page size: absent, or an integer from 1 to 100. */
export function validateLimit(value: unknown, field = 'limit'): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_LIMIT) {
    return invalidInput(field, `must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return value;
}

/** Optional pagination token: absent, or a non-empty string of at most 4096 characters. */
export function validatePaginationToken(value: unknown, field = 'paginationToken'): string | undefined {
  return isAbsent(value) ? undefined : requireString(value, field, 1, MAX_PAGINATION_TOKEN_LENGTH);
}

function parsePort(digits: string | undefined, field: string): number | undefined {
  if (digits === undefined) return undefined;
  const port = Number(digits);
  return port >= 1 && port <= 65535 ? port : invalidInput(field, 'has a port outside 1 to 65535');
}

function checkHostname(hostname: string, field: string): string {
  const lower = hostname.toLowerCase();
  if (lower.length > 253 || !(HOSTNAME.test(lower) || IPV6_LITERAL.test(lower))) {
    return invalidInput(field, 'must name a valid host');
  }
  return lower;
}

/**
 * Parses `indexHost`: a hostname with an optional port (https implied), or a full `http(s)://` origin with no
 * credentials, path, query or fragment.
 */
export function parseIndexHost(value: unknown, field = 'indexHost'): ParsedIndexHost {
  const indexHost = requireString(value, field, 1, MAX_INDEX_HOST_LENGTH);
  const origin = ORIGIN.exec(indexHost);
  if (origin !== null) {
    const scheme = origin[1]!.toLowerCase() as ParsedIndexHost['scheme'];
    return withoutDefaultPort({
      scheme,
      hostname: checkHostname(origin[2]!, field),
      port: parsePort(origin[3], field),
    });
  }
  const bare = BARE_HOST.exec(indexHost);
  if (bare === null) {
    return invalidInput(field, 'must be a hostname or an http(s) origin without credentials, path or query');
  }
  return withoutDefaultPort({
    scheme: 'https',
    hostname: checkHostname(bare[1]!, field),
    port: parsePort(bare[2], field),
  });
}

/** `https://h:443` and `https://h` are one origin; the parsed form spells both the same way. */
function withoutDefaultPort(parsed: ParsedIndexHost): ParsedIndexHost {
  const defaultPort = parsed.scheme === 'https' ? 443 : 80;
  return parsed.port === defaultPort ? { ...parsed, port: undefined } : parsed;
}

/** The origin of a parsed `indexHost`, `scheme://host[:port]`: one spelling for every way of writing one origin. */
export function formatOrigin(parsed: ParsedIndexHost): string {
  return `${parsed.scheme}://${parsed.hostname}${parsed.port === undefined ? '' : `:${parsed.port}`}`;
}

/** Validates `indexHost`; see {@link parseIndexHost}. */
export function validateIndexHost(value: unknown, field = 'indexHost'): string {
  parseIndexHost(value, field);
  return value as string;
}

function requireObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalidInput('input', 'must be an object');
  }
  return value as Record<string, unknown>;
}

/** Validates the input of `describeImport` and `cancelImport`. */
export function validateImportRef(value: unknown): ImportRef {
  const input = requireObject(value);
  return { indexHost: validateIndexHost(input.indexHost), id: validateId(input.id) };
}

/** Validates the input of `startImport`; the result always carries an explicit `errorMode`. */
export function validateStartImportInput(value: unknown): StartImportInput & { errorMode: ImportErrorMode } {
  const input = requireObject(value);
  const valid: StartImportInput & { errorMode: ImportErrorMode } = {
    indexHost: validateIndexHost(input.indexHost),
    uri: validateUri(input.uri),
    errorMode: validateErrorMode(input.errorMode),
  };
  const integrationId = validateIntegrationId(input.integrationId);
  if (integrationId !== undefined) valid.integrationId = integrationId;
  return valid;
}

/** Validates the input of `listImports`. */
export function validateListImportsInput(value: unknown): ListImportsInput {
  const input = requireObject(value);
  const valid: ListImportsInput = { indexHost: validateIndexHost(input.indexHost) };
  const limit = validateLimit(input.limit);
  const paginationToken = validatePaginationToken(input.paginationToken);
  if (limit !== undefined) valid.limit = limit;
  if (paginationToken !== undefined) valid.paginationToken = paginationToken;
  return valid;
}
