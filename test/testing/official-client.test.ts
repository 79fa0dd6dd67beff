/**
 * Pinecone's official TypeScript client (6.1.4, API 2025-04), unchanged, against the emulator. The index host is
 * passed explicitly, so the client never asks the control plane for it; its fetch is wrapped only to prove that
 * every request stays on loopback.
 */
import { strict as assert } from 'node:assert';
import { Errors, Pinecone } from '@pinecone-database/pinecone';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';
import { assertStartImportRequest } from './spec';

const API_KEY = 'official-client-key';

describe("Pinecone's official client against the emulator", () => {
  let emulator: PineconeEmulator;
  const requestedUrls: string[] = [];

  /** Refuses any non-loopback URL. */
  const loopbackFetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    requestedUrls.push(url.href);
    if (url.hostname !== '127.0.0.1') throw new Error(`test refused a request to ${url.origin}`);
    return fetch(input, init);
  };

  function index(): ReturnType<Pinecone['index']> {
    return new Pinecone({ apiKey: API_KEY, fetchApi: loopbackFetch }).index('emulated-index', emulator.url);
  }

  before(async () => {
    emulator = await startPineconeEmulator({ apiKey: API_KEY });
  });

  beforeEach(() => {
    emulator.reset();
    requestedUrls.length = 0;
  });

  after(async () => {
    await emulator.close();
  });

  it('startImport creates an import, sending a body the spec allows', async () => {
    const started = await index().startImport('s3://bucket/dir', 'abort', 'integration-1');

    assert.deepEqual(started, { id: '1' });
    assert.deepEqual(
      emulator.imports().map(({ id, uri, status }) => ({ id, uri, status })),
      [{ id: '1', uri: 's3://bucket/dir', status: 'Pending' }],
    );
    const startBodies = emulator.requests().map((request) => JSON.parse(request.body) as unknown);
    assert.deepEqual(startBodies, [
      { uri: 's3://bucket/dir', errorMode: { onError: 'abort' }, integrationId: 'integration-1' },
    ]);
    assertStartImportRequest(startBodies[0]);
  });

  it('describeImport returns the model, with dates parsed', async () => {
    await index().startImport('gs://bucket/dir');
    emulator.setStatus('1', 'Completed', { recordsImported: 42 });
    const [held] = emulator.imports();

    const described = await index().describeImport('1');
    assert.equal(described.id, '1');
    assert.equal(described.status, 'Completed');
    assert.equal(described.recordsImported, 42);
    assert.equal(described.percentComplete, 100);
    assert.equal(described.createdAt?.toISOString(), held?.createdAt);
    assert.equal(described.finishedAt?.toISOString(), held?.finishedAt);
  });

  it('listImports pages through every import with the token it is given', async () => {
    const client = index();
    for (const name of ['a', 'b', 'c']) await client.startImport(`s3://bucket/${name}`);

    const first = await client.listImports(2);
    assert.ok(first.pagination?.next);
    const second = await client.listImports(2, first.pagination.next);

    assert.deepEqual(
      [...(first.data ?? []), ...(second.data ?? [])].map((model) => model.uri),
      ['s3://bucket/a', 's3://bucket/b', 's3://bucket/c'],
    );
    assert.equal(second.pagination, undefined);
  });

  it('cancelImport cancels a running import', async () => {
    await index().startImport('s3://bucket/dir');
    emulator.setStatus('1', 'InProgress');

    const answer = await index().cancelImport('1');
    assert.deepEqual(answer, {});
    assert.equal(emulator.imports()[0]?.status, 'Cancelled');
    assert.equal((await index().describeImport('1')).status, 'Cancelled');
  });

  it('cancelImport encodes an id with /, ? and #, and the emulator decodes it', async () => {
    const id = '../x?y#z';
    emulator.addImport({ id, status: 'Pending' });

    await index().cancelImport(id);
    assert.equal(emulator.imports()[0]?.status, 'Cancelled');
    assert.equal(emulator.requests()[0]?.path, `/bulk/imports/${encodeURIComponent(id)}`);
  });

  it('sends Api-Key and X-Pinecone-Api-Version 2025-04 on every request, and only to loopback', async () => {
    const client = index();
    await client.startImport('s3://bucket/dir');
    await client.describeImport('1');
    await client.listImports();
    await client.cancelImport('1');

    const recorded = emulator.requests();
    assert.deepEqual(
      recorded.map(({ method, path }) => `${method} ${path}`),
      ['POST /bulk/imports', 'GET /bulk/imports/1', 'GET /bulk/imports', 'DELETE /bulk/imports/1'],
    );
    for (const request of recorded) {
      assert.equal(request.headers['api-key'], API_KEY);
      assert.equal(request.headers['x-pinecone-api-version'], '2025-04');
    }
    assert.equal(requestedUrls.length, 4);
    assert.ok(requestedUrls.every((url) => url.startsWith(`${emulator.url}/`)));
  });

  it('maps the emulator 404 to PineconeNotFoundError', async () => {
    await assert.rejects(index().describeImport('404'), Errors.PineconeNotFoundError);
  });

  it('maps the emulator 401 to PineconeAuthorizationError', async () => {
    const wrongKey = new Pinecone({ apiKey: 'wrong', fetchApi: loopbackFetch }).index('emulated-index', emulator.url);
    await assert.rejects(wrongKey.listImports(), Errors.PineconeAuthorizationError);
    assert.deepEqual(emulator.imports(), []);
  });

  it('maps an injected 503 to PineconeUnavailableError', async () => {
    emulator.fail({ method: 'GET', status: 503 });
    await assert.rejects(index().listImports(), Errors.PineconeUnavailableError);
  });
});
