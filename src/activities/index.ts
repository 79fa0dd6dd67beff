/**
 * `temporal-pinecone-import/activities`: the four Pinecone bulk-import activities, built by a factory so that the
 * worker supplies the key, the allowed hosts and the HTTP dispatcher (tests pass a loopback emulator or a MockAgent).
 */
import type { Dispatcher } from 'undici';
import type { ImportModel, ImportRef, ListImportsInput, ListImportsResult, StartImportInput } from '../types';
import { createCancelImport } from './cancel-import';
import { createDescribeImport } from './describe-import';
import { createPineconeHttp } from './http';
import { createListImports } from './list-imports';
import { createStartImport } from './start-import';

export type { ImportModel, ImportRef, ListImportsInput, ListImportsResult, StartImportInput } from '../types';
export { DEFAULT_ALLOWED_HOSTS, DEFAULT_API_VERSION, DEFAULT_REQUEST_TIMEOUT_MS } from './http';
export { MAX_RETRY_AFTER_MS } from './classify';
export { RECONCILE_MAX_PAGES } from './start-import';
export {
  RECONCILE_CLOCK_SKEW_MS,
  cancelImportActivityOptions,
  describeImportActivityOptions,
  listImportsActivityOptions,
  startImportActivityOptions,
} from './options';

export interface ImportActivitiesOptions {
  /** Sent as the `Api-Key` header; never logged, never in a failure. */
  apiKey: string;
  /** `X-Pinecone-Api-Version`, default `'2025-04'`. */
  apiVersion?: string;
  /**
   * Hosts the key may be sent to, exact names or `*.` wildcards; default `['*.pinecone.io']`, https only. A
   * loopback entry listed by its exact name (`'127.0.0.1'`, `'localhost'`) also allows plain http to it.
   */
  allowedHosts?: string[];
  /** undici Dispatcher (Pool, Agent, MockAgent); default: one keep-alive Agent shared by these activities. */
  dispatcher?: Dispatcher;
  /** Bounds each HTTP request: connect, headers and body. Default 30_000. */
  requestTimeoutMs?: number;
}

/** Property signatures, not methods: the functions use no `this` and are registered on a worker detached. */
export interface ImportActivities {
  startImport: (input: StartImportInput) => Promise<{ id: string }>;
  describeImport: (input: ImportRef) => Promise<ImportModel>;
  listImports: (input: ListImportsInput) => Promise<ListImportsResult>;
  cancelImport: (input: ImportRef) => Promise<void>;
}

/**
 * Creates the activities to register on a worker (`activities: createImportActivities({ apiKey })`). Each one
 * validates its input before any request, sends the key only to `allowedHosts`, fails only with the failure types
 * of `src/failures.ts`, and leaves retrying to Temporal; see each activity's contract and the recommended
 * options in `./options`.
 */
export function createImportActivities(options: ImportActivitiesOptions): ImportActivities {
  const http = createPineconeHttp(options);
  return {
    startImport: createStartImport(http),
    describeImport: createDescribeImport(http),
    listImports: createListImports(http),
    cancelImport: createCancelImport(http),
  };
}
