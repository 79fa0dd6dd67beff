/**
 * `temporal-pinecone-import/testing`: a local Pinecone bulk-import emulator for tests and the sandbox.
 */
export { startPineconeEmulator } from './emulator';
export type { EmulatorOptions, PineconeEmulator, RecordedRequest } from './emulator';
export type { FaultRule } from './faults';
export type { ProgressSchedule } from './store';
