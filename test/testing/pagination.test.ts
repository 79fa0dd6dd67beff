import { strict as assert } from 'node:assert';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';
import type { ImportModel } from '../../src/types';
import { call } from './http';

interface ListBody {
  data: ImportModel[];
  pagination?: { next: string };
}

describe('emulator: GET /bulk/imports', () => {
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

  async function create(count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      const reply = await call(emulator, 'POST', '/bulk/imports', { body: { uri: `s3://bucket/${i}` } });
      assert.equal(reply.status, 200);
    }
  }

  async function list(query: string): Promise<ListBody> {
    const reply = await call(emulator, 'GET', `/bulk/imports${query}`);
    assert.equal(reply.status, 200, reply.text);
    return reply.body as ListBody;
  }

  it('answers {data: []} without pagination when it holds nothing', async () => {
    assert.deepEqual(await list(''), { data: [] });
  });

  it('lists every import in creation order when they fit one page', async () => {
    await create(3);
    const body = await list('');

    assert.deepEqual(
      body.data.map((model) => model.id),
      ['1', '2', '3'],
    );
    assert.deepEqual(body.data, emulator.imports());
    assert.equal(body.pagination, undefined);
  });

  it('returns at most 100 per page by default', async () => {
    await create(101);
    const body = await list('');

    assert.equal(body.data.length, 100);
    assert.ok(body.pagination?.next);
  });

  it('walks every import exactly once with limit and paginationToken', async () => {
    await create(7);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query = `?limit=3${token === undefined ? '' : `&paginationToken=${encodeURIComponent(token)}`}`;
      const body = await list(query);
      seen.push(...body.data.map((model) => model.id));
      token = body.pagination?.next;
      pages += 1;
    } while (token !== undefined);

    assert.deepEqual(seen, ['1', '2', '3', '4', '5', '6', '7']);
    assert.equal(pages, 3);
  });

  it('omits pagination when the page ends exactly at the last import', async () => {
    await create(4);
    const first = await list('?limit=2');
    const second = await list(`?limit=2&paginationToken=${encodeURIComponent(first.pagination!.next)}`);

    assert.deepEqual(
      second.data.map((model) => model.id),
      ['3', '4'],
    );
    assert.equal(second.pagination, undefined);
  });

  it('keeps a token valid when imports are created between pages', async () => {
    await create(3);
    const first = await list('?limit=2');
    await create(2);
    const second = await list(`?limit=10&paginationToken=${encodeURIComponent(first.pagination!.next)}`);

    assert.deepEqual(
      second.data.map((model) => model.id),
      ['3', '4', '5'],
    );
  });

  it('treats an empty paginationToken as the first page', async () => {
    await create(2);
    const body = await list('?paginationToken=');
    assert.equal(body.data.length, 2);
  });

  for (const limit of ['0', '101', '-1', '2.5', 'ten', '']) {
    it(`answers 400 with an rpcStatus body for limit=${limit}`, async () => {
      const reply = await call(emulator, 'GET', `/bulk/imports?limit=${limit}`);

      assert.equal(reply.status, 400);
      assert.equal((reply.body as { code: number }).code, 3);
      assert.match((reply.body as { message: string }).message, /limit/);
    });
  }

  for (const limit of ['1', '100']) {
    it(`accepts limit=${limit}`, async () => {
      await create(2);
      const body = await list(`?limit=${limit}`);
      assert.equal(body.data.length, Math.min(2, Number(limit)));
    });
  }

  for (const token of ['not-a-token', Buffer.from('{"after":-1}').toString('base64url'), 'e30']) {
    it(`answers 400 for a paginationToken it never issued (${token})`, async () => {
      const reply = await call(emulator, 'GET', `/bulk/imports?paginationToken=${token}`);

      assert.equal(reply.status, 400);
      assert.match((reply.body as { message: string }).message, /paginationToken/);
    });
  }
});
