import { strict as assert } from 'node:assert';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';
import type { ImportModel } from '../../src/types';
import { call } from './http';

const T0 = Date.parse('2025-06-01T12:00:00.000Z');

describe('emulator: progress schedule', () => {
  let emulator: PineconeEmulator;
  let nowMs = T0;

  before(async () => {
    emulator = await startPineconeEmulator({
      clock: () => nowMs,
      progress: { startAfterMs: 1_000, completeAfterMs: 11_000 },
    });
  });

  beforeEach(async () => {
    emulator.reset();
    nowMs = T0;
    const reply = await call(emulator, 'POST', '/bulk/imports', { body: { uri: 's3://b/x' } });
    assert.equal(reply.status, 200);
  });

  after(async () => {
    await emulator.close();
  });

  async function describeAt(elapsedMs: number): Promise<ImportModel> {
    nowMs = T0 + elapsedMs;
    const reply = await call(emulator, 'GET', '/bulk/imports/1');
    return reply.body as ImportModel;
  }

  it('stays Pending until startAfterMs', async () => {
    const model = await describeAt(999);
    assert.deepEqual([model.status, model.percentComplete], ['Pending', 0]);
  });

  it('is InProgress with a rising percentComplete between start and completion', async () => {
    const early = await describeAt(1_000);
    const half = await describeAt(6_000);
    const late = await describeAt(10_999);

    assert.deepEqual(
      [early, half, late].map((model) => [model.status, model.percentComplete]),
      [
        ['InProgress', 0],
        ['InProgress', 50],
        ['InProgress', 99.9],
      ],
    );
    assert.equal(late.finishedAt, undefined);
  });

  it('is Completed at completeAfterMs, with finishedAt at the scheduled instant', async () => {
    const model = await describeAt(60_000);

    assert.equal(model.status, 'Completed');
    assert.equal(model.percentComplete, 100);
    assert.equal(model.finishedAt, '2025-06-01T12:00:11.000Z');
  });

  it('leaves the schedule once cancelled', async () => {
    nowMs = T0 + 2_000;
    await call(emulator, 'DELETE', '/bulk/imports/1');
    const model = await describeAt(60_000);

    assert.equal(model.status, 'Cancelled');
    assert.equal(model.finishedAt, '2025-06-01T12:00:02.000Z');
  });

  it('leaves the schedule once setStatus moves the import', async () => {
    emulator.setStatus('1', 'Failed', { error: 'bad parquet' });
    const model = await describeAt(60_000);
    assert.equal(model.status, 'Failed');
    assert.equal(model.error, 'bad parquet');
  });

  it('advances imports() and the list just like describe', async () => {
    nowMs = T0 + 60_000;
    const listed = await call(emulator, 'GET', '/bulk/imports');
    assert.equal((listed.body as { data: ImportModel[] }).data[0]?.status, 'Completed');
    assert.equal(emulator.imports()[0]?.status, 'Completed');
  });
});

describe('emulator: without a schedule', () => {
  let emulator: PineconeEmulator;
  let nowMs = T0;

  before(async () => {
    emulator = await startPineconeEmulator({ clock: () => nowMs });
  });

  after(async () => {
    await emulator.close();
  });

  it('keeps imports Pending however much time passes', async () => {
    await call(emulator, 'POST', '/bulk/imports', { body: { uri: 's3://b/x' } });
    nowMs += 7 * 24 * 3_600_000;
    assert.equal(emulator.imports()[0]?.status, 'Pending');
  });
});
