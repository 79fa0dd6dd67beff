/**
 * `temporal-pinecone-import/testing`: a local emulator of Pinecone's bulk-import API (2025-04) for tests and the
 * sandbox. A real HTTP server on 127.0.0.1; no module mocks, no network beyond loopback.
 *
 * @example
 * const emulator = await startPineconeEmulator({ apiKey: 'test-key' });
 * emulator.fail({ method: 'POST', afterEffect: true }); // the import is created, the caller sees a 500
 * // ... run activities with indexHost: emulator.url and allowedHosts: ['127.0.0.1'] ...
 * emulator.setStatus('1', 'Completed', { recordsImported: 10 });
 * await emulator.close();
 */
export { startPineconeEmulator } from './emulator';
export type { EmulatorOptions, PineconeEmulator, RecordedRequest } from './emulator';
export type { FaultRule } from './faults';
export type { ProgressSchedule } from './store';
