/**
 * `temporal-pinecone-import/workflows`: safe inside the workflow sandbox (no undici, no Node.js built-ins, no
 * activity code). Pass this module's path as a worker's `workflowsPath`, or re-export it from your own.
 */
export {
  pineconeImportWorkflow,
  DEFAULT_IMPORT_TIMEOUT,
  DEFAULT_POLL_INTERVAL,
  MAX_HISTORY_EVENTS_BEFORE_CONTINUE,
} from './import-workflow';
export { cancelSignal, setDeadlineUpdate, stateQuery } from './messages';
export * from './search-attributes';
export {
  cancelImportActivityOptions,
  describeImportActivityOptions,
  listImportsActivityOptions,
  startImportActivityOptions,
} from '../activities/options';
export * from '../failures';
export type * from '../types';
