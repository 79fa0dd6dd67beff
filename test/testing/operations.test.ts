import { strict as assert } from 'node:assert';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(emulator: PineconeEmulator, method: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

describe('emulator operations', () => {
  let emulator: PineconeEmulator;

  before(async () => {
    emulator = await startPineconeEmulator();
  });

  beforeEach(() => {
    emulator.reset();
  });

  after(async () => {
    await emulator.close();
  });

  it('listens on 127.0.0.1', () => {
    assert.match(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('starts an import and answers 200 with its id', async () => {
    const reply = await call(emulator, 'POST', '/bulk/imports', {
      uri: 's3://bucket/dir',
      errorMode: { onError: 'abort' },
    });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { id: '1' });
    assert.deepEqual(
      emulator.imports().map(({ id, uri, status }) => ({ id, uri, status })),
      [{ id: '1', uri: 's3://bucket/dir', status: 'Pending' }],
    );
  });

  it('describes an import it holds', async () => {
    await call(emulator, 'POST', '/bulk/imports', { uri: 'gs://bucket/dir' });
    const reply = await call(emulator, 'GET', '/bulk/imports/1');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, emulator.imports()[0]);
  });

  it('answers 404 with an rpcStatus body for an unknown id', async () => {
    const reply = await call(emulator, 'GET', '/bulk/imports/42');
    assert.equal(reply.status, 404);
    assert.deepEqual(reply.body, { code: 5, message: 'import "42" not found', details: [] });
  });

  it('cancels a pending import, setting finishedAt', async () => {
    await call(emulator, 'POST', '/bulk/imports', { uri: 's3://bucket/dir' });
    const reply = await call(emulator, 'DELETE', '/bulk/imports/1');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, {});
    const [model] = emulator.imports();
    assert.equal(model?.status, 'Cancelled');
    assert.ok(model?.finishedAt !== undefined);
  });
});
