import { strict as assert } from 'node:assert';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';
import { call } from './http';

describe('emulator: options', () => {
  const started: PineconeEmulator[] = [];

  async function start(...args: Parameters<typeof startPineconeEmulator>): Promise<PineconeEmulator> {
    const emulator = await startPineconeEmulator(...args);
    started.push(emulator);
    return emulator;
  }

  after(async () => {
    await Promise.all(started.map((emulator) => emulator.close()));
  });

  it('binds the port it is given, on 127.0.0.1', async () => {
    const probe = await start();
    const port = Number(new URL(probe.url).port);
    await probe.close();

    const emulator = await start({ port });
    assert.equal(emulator.url, `http://127.0.0.1:${port}`);
    assert.equal((await call(emulator, 'GET', '/bulk/imports')).status, 200);
  });

  it('rejects when the port is taken', async () => {
    const first = await start();
    const port = Number(new URL(first.url).port);
    await assert.rejects(startPineconeEmulator({ port }), { code: 'EADDRINUSE' });
  });

  for (const progress of [
    { completeAfterMs: -1 },
    { completeAfterMs: Infinity },
    { completeAfterMs: 10, startAfterMs: -5 },
  ]) {
    const { completeAfterMs, startAfterMs = 0 } = progress;
    it(`rejects the schedule completeAfterMs=${completeAfterMs}, startAfterMs=${startAfterMs}`, async () => {
      await assert.rejects(startPineconeEmulator({ progress }), RangeError);
    });
  }

  it('completes at once with completeAfterMs 0', async () => {
    const emulator = await start({ progress: { completeAfterMs: 0 } });
    await call(emulator, 'POST', '/bulk/imports', { body: { uri: 's3://b/x' } });
    assert.equal(emulator.imports()[0]?.status, 'Completed');
  });

  it('answers 500 naming the error when the emulator itself fails, and keeps serving', async () => {
    let broken = true;
    const emulator = await start({
      clock: () => {
        if (broken) throw new Error('clock broke');
        return Date.now();
      },
    });
    const failed = await call(emulator, 'POST', '/bulk/imports', { body: { uri: 's3://b/x' } });
    broken = false;
    const served = await call(emulator, 'POST', '/bulk/imports', { body: { uri: 's3://b/x' } });

    assert.equal(failed.status, 500);
    assert.deepEqual(failed.body, { code: 13, message: 'emulator error: Error: clock broke', details: [] });
    assert.equal(served.status, 200);
  });
});
