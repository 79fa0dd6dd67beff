/**
 * Shapes shared by the activities, the workflow, the client helpers and the emulator.
 * Pure types: safe to import from workflow code.
 */
import type { Duration } from '@temporalio/common';

/** Statuses Pinecone reports today. Newer ones may appear; code must treat unknown statuses as still running. */
export type KnownImportStatus = 'Pending' | 'InProgress' | 'Failed' | 'Completed' | 'Cancelled';

/** How an import treats records it cannot read: fail the whole import, or skip them. */
export type ImportErrorMode = 'abort' | 'continue';

/** One import as Pinecone describes it, with camelCase fields. */
export interface ImportModel {
  id: string;
  uri?: string;
  /** `Pending | InProgress | Failed | Completed | Cancelled`, or a status newer than this package. */
  status: string;
  createdAt?: string;
  finishedAt?: string;
  percentComplete?: number;
  recordsImported?: number;
  error?: string;
}

/** Names one import on one index. */
export interface ImportRef {
  /** The index host Pinecone reports (`name-abc.svc.region.pinecone.io`, https implied) or a full origin. */
  indexHost: string;
  id: string;
}

export interface StartImportInput {
  indexHost: string;
  /** `s3://`, `gs://` or `https://` location of the Parquet files. */
  uri: string;
  integrationId?: string;
  /** Default `abort`: a bad record fails the import instead of being skipped silently. */
  errorMode?: ImportErrorMode;
}

export interface ListImportsInput {
  indexHost: string;
  /** 1 to 100. */
  limit?: number;
  paginationToken?: string;
}

export interface ListImportsResult {
  data: ImportModel[];
  next?: string;
}

export interface ImportWorkflowInput {
  indexHost: string;
  /** Ignored when `importId` is given. */
  uri: string;
  integrationId?: string;
  errorMode?: ImportErrorMode;
  /** Adopt an import that is already running instead of starting one. */
  importId?: string;
  /** ISO-8601 instant after which the import is cancelled. Takes precedence over `timeout`. */
  deadline?: string;
  /** Relative to the workflow's start; default `'24 hours'`. */
  timeout?: Duration;
  /** Upper bound between status checks. */
  pollInterval?: Duration;
  /** Upsert the typed search attributes (they must be registered in the namespace first). Default false. */
  searchAttributes?: boolean;
}

export interface ImportWorkflowResult {
  outcome: 'completed' | 'cancelled';
  /** The last model seen; its status is terminal. */
  import: ImportModel;
  cancelReason?: string;
}

export type ImportWorkflowPhase = 'starting' | 'waiting' | 'cancelling' | 'done';

export interface ImportWorkflowState {
  phase: ImportWorkflowPhase;
  importId?: string;
  import?: ImportModel;
  /** ISO-8601 instant. */
  deadline: string;
  cancelReason?: string;
}

export interface CancelSignalInput {
  reason?: string;
}

export interface SetDeadlineInput {
  /** ISO-8601 instant in the future. */
  deadline: string;
}
