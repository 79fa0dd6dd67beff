import { strict as assert } from 'node:assert';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';
import { call, type Reply } from './http';
import { assertMatchesSpec } from './spec';

const COLLECTION = '/bulk/imports';
const ITEM = '/bulk/imports/{id}';

describe('emulator responses conform to the 2025-04 specification', () => {
  let emulator: PineconeEmulator;
  let nowMs = Date.parse('2025-06-01T12:00:00.000Z');

  before(async () => {
    emulator = await startPineconeEmulator({ clock: () => nowMs, progress: { completeAfterMs: 10_000 } });
  });

  beforeEach(() => {
    emulator.reset();
    nowMs = Date.parse('2025-06-01T12:00:00.000Z');
  });

  after(async () => {
    await emulator.close();
  });

  function check(template: string, method: string, reply: Reply, expectedStatus: number): void {
    assert.equal(reply.status, expectedStatus, reply.text);
    assert.equal(reply.headers.get('content-type'), 'application/json');
    assertMatchesSpec(template, method, reply.status, reply.body);
  }

  async function start(uri = 's3://bucket/dir'): Promise<string> {
    const reply = await call(emulator, 'POST', COLLECTION, { body: { uri, errorMode: { onError: 'abort' } } });
    check(COLLECTION, 'POST', reply, 200);
    return (reply.body as { id: string }).id;
  }

  it('startImport: 200 StartImportResponse', async () => {
    await start();
  });

  it('startImport: 400 rpcStatus', async () => {
    check(COLLECTION, 'POST', await call(emulator, 'POST', COLLECTION, { body: { uri: 'ftp://x' } }), 400);
  });

  it('describeImport: 200 ImportModel while Pending, InProgress and after completing on schedule', async () => {
    const id = await start();
    check(ITEM, 'GET', await call(emulator, 'GET', `/bulk/imports/${id}`), 200);
    nowMs += 3_333;
    check(ITEM, 'GET', await call(emulator, 'GET', `/bulk/imports/${id}`), 200);
    nowMs += 10_000;
    check(ITEM, 'GET', await call(emulator, 'GET', `/bulk/imports/${id}`), 200);
  });

  for (const [status, patch] of [
    ['Completed', { recordsImported: 1_000_000 }],
    ['Failed', { error: 'parquet file has no id column' }],
    ['Cancelled', {}],
  ] as const) {
    it(`describeImport: 200 ImportModel when ${status} via setStatus`, async () => {
      const id = await start();
      emulator.setStatus(id, status, patch);
      check(ITEM, 'GET', await call(emulator, 'GET', `/bulk/imports/${id}`), 200);
    });
  }

  it('describeImport: 404 and 400 rpcStatus', async () => {
    check(ITEM, 'GET', await call(emulator, 'GET', '/bulk/imports/404'), 404);
    check(ITEM, 'GET', await call(emulator, 'GET', `/bulk/imports/${'1'.repeat(1001)}`), 400);
  });

  it('listImports: 200 ListImportsResponse, empty, paged and last page', async () => {
    check(COLLECTION, 'GET', await call(emulator, 'GET', COLLECTION), 200);
    await start();
    await start();
    await start();
    const first = await call(emulator, 'GET', `${COLLECTION}?limit=2`);
    check(COLLECTION, 'GET', first, 200);
    const next = (first.body as { pagination: { next: string } }).pagination.next;
    check(COLLECTION, 'GET', await call(emulator, 'GET', `${COLLECTION}?limit=2&paginationToken=${next}`), 200);
  });

  it('listImports: 400 rpcStatus', async () => {
    check(COLLECTION, 'GET', await call(emulator, 'GET', `${COLLECTION}?limit=1000`), 400);
  });

  it('cancelImport: 200 CancelImportResponse, for a running and a finished import', async () => {
    const id = await start();
    check(ITEM, 'DELETE', await call(emulator, 'DELETE', `/bulk/imports/${id}`), 200);
    check(ITEM, 'DELETE', await call(emulator, 'DELETE', `/bulk/imports/${id}`), 200);
  });

  it('cancelImport: 404 rpcStatus', async () => {
    check(ITEM, 'DELETE', await call(emulator, 'DELETE', '/bulk/imports/404'), 404);
  });

  it('injected 429 and 5XX without a body: rpcStatus', async () => {
    for (const status of [429, 500, 502, 503, 504]) {
      emulator.fail({ status });
      check(COLLECTION, 'GET', await call(emulator, 'GET', COLLECTION), status);
    }
  });

  describe('with an Api-Key configured', () => {
    let guarded: PineconeEmulator;

    before(async () => {
      guarded = await startPineconeEmulator({ apiKey: 'k' });
    });

    after(async () => {
      await guarded.close();
    });

    it('401 rpcStatus on every operation', async () => {
      check(COLLECTION, 'POST', await call(guarded, 'POST', COLLECTION, { body: { uri: 's3://b/x' } }), 401);
      check(COLLECTION, 'GET', await call(guarded, 'GET', COLLECTION), 401);
      check(ITEM, 'GET', await call(guarded, 'GET', '/bulk/imports/1'), 401);
      check(ITEM, 'DELETE', await call(guarded, 'DELETE', '/bulk/imports/1'), 401);
    });
  });

  describe('the schema check itself', () => {
    it('rejects a status outside the 2025-04 enum', () => {
      assert.throws(() => assertMatchesSpec(ITEM, 'GET', 200, { id: '1', status: 'Running' }), /status/);
    });

    it('rejects a snake_case field', () => {
      const model = { id: '1', status: 'Pending', created_at: '2025-06-01T12:00:00Z' };
      assert.throws(() => assertMatchesSpec(ITEM, 'GET', 200, model), /additional properties/);
    });

    it('rejects a createdAt that is not a date-time', () => {
      const model = { id: '1', status: 'Pending', createdAt: 'yesterday' };
      assert.throws(() => assertMatchesSpec(ITEM, 'GET', 200, model), /date-time/);
    });

    it('rejects a percentComplete above 100', () => {
      assert.throws(() => assertMatchesSpec(ITEM, 'GET', 200, { id: '1', status: 'Pending', percentComplete: 101 }));
    });

    it('rejects an rpcStatus whose code is a string', () => {
      assert.throws(() => assertMatchesSpec(ITEM, 'GET', 404, { code: 'NOT_FOUND', message: 'x' }), /integer/);
    });
  });
});
