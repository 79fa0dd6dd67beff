/**
 * `temporal-pinecone-import`: the types, the failure catalogue, the activities factory with its recommended
 * options, and the client helpers. Workflow code lives in `temporal-pinecone-import/workflows`, never here, so
 * that importing this module from a worker or a service never pulls workflow code into the wrong context.
 */
export * from './types';
export * from './failures';
export {
  createImportActivities,
  cancelImportActivityOptions,
  describeImportActivityOptions,
  listImportsActivityOptions,
  startImportActivityOptions,
  type ImportActivities,
  type ImportActivitiesOptions,
} from './activities';
export {
  DEFAULT_TASK_QUEUE,
  importWorkflowId,
  startImportWorkflow,
  cancelImportWorkflow,
  getImportState,
  type StartImportWorkflowOptions,
} from './client';
