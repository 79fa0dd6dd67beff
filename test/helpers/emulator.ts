import { startPineconeEmulator, type EmulatorOptions, type PineconeEmulator } from '../../src/testing';

/**
 * Runs one emulator for the enclosing `describe` block: started before its first test (then handed to `onStart`),
 * emptied before each test, closed after its last.
 */
export function useEmulator(options: EmulatorOptions, onStart: (emulator: PineconeEmulator) => void): void {
  let emulator: PineconeEmulator | undefined;

  before(async () => {
    emulator = await startPineconeEmulator(options);
    onStart(emulator);
  });

  beforeEach(() => {
    emulator?.reset();
  });

  after(async () => {
    await emulator?.close();
  });
}
