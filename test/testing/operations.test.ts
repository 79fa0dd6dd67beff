import { strict as assert } from 'node:assert';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';
import { call } from './http';

const START = '/bulk/imports';

describe('emulator: start, describe and cancel', () => {
  let emulator: PineconeEmulator;
  let nowMs = Date.parse('2025-06-01T12:00:00.000Z');

  before(async () => {
    emulator = await startPineconeEmulator({ clock: () => nowMs });
  });

  beforeEach(() => {
    emulator.reset();
    nowMs = Date.parse('2025-06-01T12:00:00.000Z');
  });

  after(async () => {
    await emulator.close();
  });

  it('listens on 127.0.0.1', () => {
    assert.match(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  describe('POST /bulk/imports', () => {
    it('creates a Pending import and answers 200 with its id', async () => {
      const reply = await call(emulator, 'POST', START, { body: { uri: 's3://bucket/dir' } });

      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, { id: '1' });
      assert.deepEqual(emulator.imports(), [
        {
          id: '1',
          uri: 's3://bucket/dir',
          status: 'Pending',
          createdAt: '2025-06-01T12:00:00.000Z',
          percentComplete: 0,
          recordsImported: 0,
        },
      ]);
    });

    it('gives every import its own id, even for the same uri', async () => {
      const first = await call(emulator, 'POST', START, { body: { uri: 'gs://bucket/dir' } });
      const second = await call(emulator, 'POST', START, { body: { uri: 'gs://bucket/dir' } });

      assert.deepEqual([first.body, second.body], [{ id: '1' }, { id: '2' }]);
      assert.equal(emulator.imports().length, 2);
    });

    it('accepts integrationId and both error modes', async () => {
      for (const onError of ['abort', 'continue']) {
        const body = {
          uri: 'https://account.blob.core.windows.net/c/dir',
          integrationId: 'int-1',
          errorMode: { onError },
        };
        const reply = await call(emulator, 'POST', START, { body });
        assert.equal(reply.status, 200, reply.text);
      }
    });

    const rejected: [string, unknown, RegExp][] = [
      ['a body that is not JSON', '{"uri": ', /not valid JSON/],
      ['a body that is not an object', '["s3://b/x"]', /JSON object/],
      ['a missing uri', {}, /uri is required/],
      ['an empty uri', { uri: '' }, /uri is required/],
      ['a uri that is not a string', { uri: 42 }, /uri must be a string/],
      ['a uri longer than 1500 characters', { uri: `s3://b/${'x'.repeat(1494)}` }, /at most 1500/],
      ['a uri with an unsupported scheme', { uri: 'file:///tmp/x' }, /must start with/],
      ['an integrationId longer than 1000', { uri: 's3://b/x', integrationId: 'i'.repeat(1001) }, /at most 1000/],
      ['an integrationId that is not a string', { uri: 's3://b/x', integrationId: 7 }, /integrationId must be/],
      ['an unknown onError', { uri: 's3://b/x', errorMode: { onError: 'skip' } }, /abort" or "continue/],
      ['a capitalised onError', { uri: 's3://b/x', errorMode: { onError: 'Abort' } }, /abort" or "continue/],
      ['an errorMode that is not an object', { uri: 's3://b/x', errorMode: 'abort' }, /abort" or "continue/],
      ['an errorMode with another field', { uri: 's3://b/x', errorMode: { on_error: 'abort' } }, /abort" or/],
      ['an unknown field', { uri: 's3://b/x', error_mode: { onError: 'abort' } }, /unknown field "error_mode"/],
    ];
    for (const [what, body, message] of rejected) {
      it(`answers 400 with an rpcStatus body for ${what}, creating nothing`, async () => {
        const reply = await call(emulator, 'POST', START, { body });

        assert.equal(reply.status, 400);
        const error = reply.body as { code: number; message: string; details: unknown[] };
        assert.equal(error.code, 3);
        assert.match(error.message, message);
        assert.deepEqual(error.details, []);
        assert.deepEqual(emulator.imports(), []);
      });
    }

    it('accepts a uri of exactly 1500 characters', async () => {
      const reply = await call(emulator, 'POST', START, { body: { uri: `s3://b/${'x'.repeat(1493)}` } });
      assert.equal(reply.status, 200);
    });
  });

  describe('GET /bulk/imports/{id}', () => {
    it('describes an import it holds', async () => {
      await call(emulator, 'POST', START, { body: { uri: 'gs://bucket/dir' } });
      const reply = await call(emulator, 'GET', '/bulk/imports/1');

      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, emulator.imports()[0]);
    });

    it('answers 404 with an rpcStatus body for an unknown id', async () => {
      const reply = await call(emulator, 'GET', '/bulk/imports/42');

      assert.equal(reply.status, 404);
      assert.deepEqual(reply.body, { code: 5, message: 'import "42" not found', details: [] });
    });

    it('percent-decodes the id, so ids with /, ? and # work', async () => {
      const id = '../x?y#z/%';
      emulator.addImport({ id, uri: 's3://b/x', status: 'InProgress' });
      const reply = await call(emulator, 'GET', `/bulk/imports/${encodeURIComponent(id)}`);

      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, { id, uri: 's3://b/x', status: 'InProgress' });
    });

    it('does not treat an unencoded slash in the id as part of the id', async () => {
      emulator.addImport({ id: 'a/b', status: 'Pending' });
      const reply = await call(emulator, 'GET', '/bulk/imports/a/b');

      assert.equal(reply.status, 404);
      assert.match((reply.body as { message: string }).message, /no route/);
    });

    it('answers 400 for an id longer than 1000 characters', async () => {
      const reply = await call(emulator, 'GET', `/bulk/imports/${'9'.repeat(1001)}`);
      assert.equal(reply.status, 400);
    });

    it('answers 400 for a malformed percent-encoding', async () => {
      const reply = await call(emulator, 'GET', '/bulk/imports/%E0%A4%A');
      assert.equal(reply.status, 400);
      assert.match((reply.body as { message: string }).message, /percent-encoded/);
    });
  });

  describe('DELETE /bulk/imports/{id}', () => {
    for (const status of ['Pending', 'InProgress']) {
      it(`turns a ${status} import into Cancelled with finishedAt, answering 200 {}`, async () => {
        await call(emulator, 'POST', START, { body: { uri: 's3://bucket/dir' } });
        emulator.setStatus('1', status);
        nowMs += 5_000;
        const reply = await call(emulator, 'DELETE', '/bulk/imports/1');

        assert.equal(reply.status, 200);
        assert.deepEqual(reply.body, {});
        const [model] = emulator.imports();
        assert.equal(model?.status, 'Cancelled');
        assert.equal(model?.finishedAt, '2025-06-01T12:00:05.000Z');
      });
    }

    for (const status of ['Completed', 'Failed', 'Cancelled']) {
      it(`answers 200 {} and changes nothing for a ${status} import`, async () => {
        await call(emulator, 'POST', START, { body: { uri: 's3://bucket/dir' } });
        emulator.setStatus('1', status, { error: status === 'Failed' ? 'bad parquet' : undefined });
        const before = emulator.imports();
        nowMs += 5_000;
        const reply = await call(emulator, 'DELETE', '/bulk/imports/1');

        assert.equal(reply.status, 200);
        assert.deepEqual(reply.body, {});
        assert.deepEqual(emulator.imports(), before);
      });
    }

    it('cancels an import in a status newer than the spec, as it is not finished', async () => {
      emulator.addImport({ id: 'x', status: 'Queued' });
      await call(emulator, 'DELETE', '/bulk/imports/x');
      assert.equal(emulator.imports()[0]?.status, 'Cancelled');
    });

    it('answers 404 with an rpcStatus body for an unknown id', async () => {
      const reply = await call(emulator, 'DELETE', '/bulk/imports/42');

      assert.equal(reply.status, 404);
      assert.deepEqual(reply.body, { code: 5, message: 'import "42" not found', details: [] });
    });

    it('cancels an id that needed percent-encoding', async () => {
      const id = 'a/b?c#d';
      emulator.addImport({ id, status: 'Pending' });
      const reply = await call(emulator, 'DELETE', `/bulk/imports/${encodeURIComponent(id)}`);

      assert.equal(reply.status, 200);
      assert.equal(emulator.imports()[0]?.status, 'Cancelled');
    });
  });

  describe('routing', () => {
    for (const path of ['/', '/bulk', '/bulk/imports/', '/bulk/imports/1/cancel', '/indexes']) {
      it(`answers 404 with an rpcStatus body for ${path}`, async () => {
        const reply = await call(emulator, 'GET', path);

        assert.equal(reply.status, 404);
        assert.equal((reply.body as { code: number }).code, 5);
      });
    }

    const wrongMethods: [string, string, string][] = [
      ['PUT', '/bulk/imports', 'GET, POST'],
      ['DELETE', '/bulk/imports', 'GET, POST'],
      ['POST', '/bulk/imports/1', 'GET, DELETE'],
      ['PATCH', '/bulk/imports/1', 'GET, DELETE'],
    ];
    for (const [method, path, allow] of wrongMethods) {
      it(`answers 405 with Allow: ${allow} for ${method} ${path}`, async () => {
        const reply = await call(emulator, method, path, { body: '{}' });

        assert.equal(reply.status, 405);
        assert.equal(reply.headers.get('allow'), allow);
        assert.equal((reply.body as { code: number }).code, 12);
      });
    }

    it('ignores a query string when routing', async () => {
      await call(emulator, 'POST', START, { body: { uri: 's3://b/x' } });
      const reply = await call(emulator, 'GET', '/bulk/imports/1?verbose=true');
      assert.equal(reply.status, 200);
    });

    it('sends a request id header with every response', async () => {
      const found = await call(emulator, 'GET', '/bulk/imports');
      const missing = await call(emulator, 'GET', '/bulk/imports/9');
      assert.match(found.headers.get('x-request-id') ?? '', /^emulator-\d+$/);
      assert.notEqual(found.headers.get('x-request-id'), missing.headers.get('x-request-id'));
    });
  });

  describe('request log', () => {
    it('records method, path with query as received, and lower-cased headers', async () => {
      await call(emulator, 'GET', '/bulk/imports?limit=5&paginationToken=abc', {
        headers: { 'Api-Key': 'k', 'X-Pinecone-Api-Version': '2025-04' },
      });
      await call(emulator, 'DELETE', `/bulk/imports/${encodeURIComponent('a/b')}`);

      const [list, cancel] = emulator.requests();
      assert.equal(list?.method, 'GET');
      assert.equal(list?.path, '/bulk/imports?limit=5&paginationToken=abc');
      assert.equal(list?.headers['api-key'], 'k');
      assert.equal(list?.headers['x-pinecone-api-version'], '2025-04');
      assert.equal(cancel?.method, 'DELETE');
      assert.equal(cancel?.path, '/bulk/imports/a%2Fb');
    });

    it('records the request body as text', async () => {
      const body = '{"uri":"s3://b/x","errorMode":{"onError":"abort"}}';
      await call(emulator, 'POST', START, { body });
      await call(emulator, 'GET', '/bulk/imports/1');

      assert.deepEqual(
        emulator.requests().map((request) => request.body),
        [body, ''],
      );
    });

    it('returns copies that callers cannot alter', async () => {
      await call(emulator, 'GET', '/bulk/imports');
      const [first] = emulator.requests();
      first!.headers['api-key'] = 'changed';
      assert.equal(emulator.requests()[0]?.headers['api-key'], undefined);
    });

    it('reads a body sent where none is expected and still answers', async () => {
      emulator.addImport({ id: '1', status: 'Pending' });
      const reply = await call(emulator, 'DELETE', '/bulk/imports/1', { body: 'x'.repeat(256 * 1024) });
      assert.equal(reply.status, 200);
    });
  });

  describe('direct control', () => {
    it('imports() returns copies that callers cannot alter', async () => {
      await call(emulator, 'POST', START, { body: { uri: 's3://b/x' } });
      emulator.imports()[0]!.status = 'Completed';
      assert.equal(emulator.imports()[0]?.status, 'Pending');
    });

    it('setStatus to Completed sets finishedAt and 100 percent, and applies the patch', async () => {
      await call(emulator, 'POST', START, { body: { uri: 's3://b/x' } });
      nowMs += 60_000;
      emulator.setStatus('1', 'Completed', { recordsImported: 1234 });

      const reply = await call(emulator, 'GET', '/bulk/imports/1');
      assert.deepEqual(reply.body, {
        id: '1',
        uri: 's3://b/x',
        status: 'Completed',
        createdAt: '2025-06-01T12:00:00.000Z',
        finishedAt: '2025-06-01T12:01:00.000Z',
        percentComplete: 100,
        recordsImported: 1234,
      });
    });

    it('setStatus removes fields patched to undefined and never changes the id', async () => {
      await call(emulator, 'POST', START, { body: { uri: 's3://b/x' } });
      emulator.setStatus('1', 'InProgress', { id: 'other', percentComplete: undefined, recordsImported: undefined });
      assert.deepEqual(emulator.imports()[0], {
        id: '1',
        uri: 's3://b/x',
        status: 'InProgress',
        createdAt: '2025-06-01T12:00:00.000Z',
      });
    });

    it('setStatus back to an unfinished status removes finishedAt', async () => {
      await call(emulator, 'POST', START, { body: { uri: 's3://b/x' } });
      emulator.setStatus('1', 'Failed', { error: 'boom' });
      emulator.setStatus('1', 'InProgress', { error: undefined });
      const [model] = emulator.imports();
      assert.deepEqual([model?.status, model?.finishedAt, model?.error], ['InProgress', undefined, undefined]);
    });

    it('setStatus throws for an unknown id', () => {
      assert.throws(() => emulator.setStatus('nope', 'Completed'), /no import with id "nope"/);
    });

    it('addImport throws for an id it already holds', () => {
      emulator.addImport({ id: '7', status: 'Pending' });
      assert.throws(() => emulator.addImport({ id: '7', status: 'Pending' }), /already holds/);
    });

    it('skips ids taken by addImport when creating', async () => {
      emulator.addImport({ id: '1', status: 'Completed' });
      const reply = await call(emulator, 'POST', START, { body: { uri: 's3://b/x' } });
      assert.notDeepEqual(reply.body, { id: '1' });
      assert.equal(emulator.imports().length, 2);
    });

    it('reset drops imports, faults and recorded requests, and restarts ids', async () => {
      await call(emulator, 'POST', START, { body: { uri: 's3://b/x' } });
      emulator.fail({ status: 503, times: Infinity });
      emulator.reset();

      assert.deepEqual(emulator.imports(), []);
      assert.deepEqual(emulator.requests(), []);
      const reply = await call(emulator, 'POST', START, { body: { uri: 's3://b/x' } });
      assert.deepEqual([reply.status, reply.body], [200, { id: '1' }]);
    });
  });
});

describe('emulator: lifecycle', () => {
  let emulator: PineconeEmulator;

  before(async () => {
    emulator = await startPineconeEmulator();
  });

  after(async () => {
    await emulator.close();
  });

  it('can be closed twice', async () => {
    await emulator.close();
    await emulator.close();
  });

  it('refuses connections once closed', async () => {
    await emulator.close();
    const outcome = await fetch(`${emulator.url}/bulk/imports`).then(
      () => 'answered',
      (err: Error) => (err.cause as NodeJS.ErrnoException | undefined)?.code,
    );
    assert.equal(outcome, 'ECONNREFUSED');
  });
});
