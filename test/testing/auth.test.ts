import { strict as assert } from 'node:assert';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';
import { call } from './http';

const KEY = 'emulator-test-key';

describe('emulator: Api-Key', () => {
  let emulator: PineconeEmulator;

  before(async () => {
    emulator = await startPineconeEmulator({ apiKey: KEY });
  });

  beforeEach(() => {
    emulator.reset();
  });

  after(async () => {
    await emulator.close();
  });

  it('serves a request carrying the configured key', async () => {
    const reply = await call(emulator, 'POST', '/bulk/imports', {
      body: { uri: 's3://b/x' },
      headers: { 'Api-Key': KEY },
    });
    assert.equal(reply.status, 200);
  });

  const refused: [string, Record<string, string>][] = [
    ['no Api-Key header', {}],
    ['a wrong key', { 'Api-Key': 'wrong' }],
    ['the key in another header', { Authorization: `Bearer ${KEY}` }],
  ];
  for (const [what, headers] of refused) {
    it(`answers 401 with an rpcStatus body for ${what}, and does nothing`, async () => {
      const reply = await call(emulator, 'POST', '/bulk/imports', { body: { uri: 's3://b/x' }, headers });

      assert.equal(reply.status, 401);
      assert.deepEqual(reply.body, { code: 16, message: 'missing or invalid Api-Key header', details: [] });
      assert.deepEqual(emulator.imports(), []);
    });
  }

  it('checks the key on every operation', async () => {
    emulator.addImport({ id: '1', status: 'Pending' });
    const statuses: number[] = [];
    for (const [method, path] of [
      ['GET', '/bulk/imports'],
      ['GET', '/bulk/imports/1'],
      ['DELETE', '/bulk/imports/1'],
    ] as const) {
      statuses.push((await call(emulator, method, path)).status);
    }

    assert.deepEqual(statuses, [401, 401, 401]);
    assert.equal(emulator.imports()[0]?.status, 'Pending');
  });

  it('never echoes the key in the 401 body', async () => {
    const reply = await call(emulator, 'GET', '/bulk/imports', { headers: { 'Api-Key': `${KEY}-almost` } });
    assert.equal(reply.text.includes(KEY), false);
  });

  describe('without a key configured', () => {
    let open: PineconeEmulator;

    before(async () => {
      open = await startPineconeEmulator();
    });

    after(async () => {
      await open.close();
    });

    it('serves requests that carry no key', async () => {
      const reply = await call(open, 'GET', '/bulk/imports');
      assert.equal(reply.status, 200);
    });
  });
});
