import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { MockAgent } from 'undici';
import { PINECONE_NOT_FOUND } from '../../src/failures';
import { createImportActivities } from '../../src/activities';
import { encodePathSegment } from '../../src/activities/http';
import type { PineconeEmulator } from '../../src/testing';
import { useEmulator } from '../helpers/emulator';
import { API_KEY, assertFailure, assertKeyNotLogged, logLines, rejectionOf, runActivity } from './helpers';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;

describe('requests: headers, paths and bodies on the wire', () => {
  let emulator: PineconeEmulator;
  const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });
  let indexHost: string;

  useEmulator({ apiKey: API_KEY }, (started) => {
    emulator = started;
    indexHost = started.url;
  });

  it('sends Api-Key, the API version, a User-Agent naming the package, and JSON headers', async () => {
    await runActivity(activities.startImport, { indexHost, uri: 's3://b/d' });
    const [post] = emulator.requests();
    assert.equal(post?.method, 'POST');
    assert.equal(post?.path, '/bulk/imports');
    assert.deepEqual(
      [
        post?.headers['api-key'],
        post?.headers['x-pinecone-api-version'],
        post?.headers['user-agent'],
        post?.headers.accept,
        post?.headers['content-type'],
      ],
      [API_KEY, '2025-04', `temporal-pinecone-import/${PACKAGE_VERSION}`, 'application/json', 'application/json'],
    );
  });

  it('sends the configured API version', async () => {
    const other = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'], apiVersion: '2025-10' });
    await runActivity(other.listImports, { indexHost });
    assert.equal(emulator.requests()[0]?.headers['x-pinecone-api-version'], '2025-10');
  });

  it('sends limit and paginationToken as query parameters', async () => {
    await runActivity(activities.listImports, { indexHost, limit: 5 });
    const err = await rejectionOf(
      runActivity(activities.listImports, { indexHost, limit: 5, paginationToken: 'a b&c' }),
    );
    assertFailure(err, { type: 'PineconeBadRequest', nonRetryable: true, path: '/bulk/imports' });
    assert.deepEqual(
      emulator.requests().map((request) => request.path),
      ['/bulk/imports?limit=5', '/bulk/imports?limit=5&paginationToken=a%20b%26c'],
    );
  });

  it('keeps an id like ../x?y#z inside one path segment', async () => {
    const id = '../x?y#z';
    const err = await rejectionOf(runActivity(activities.cancelImport, { indexHost, id }));
    assertFailure(err, { type: PINECONE_NOT_FOUND, nonRetryable: true, path: '/bulk/imports/..%2Fx%3Fy%23z' });
    assert.deepEqual(
      emulator.requests().map((request) => `${request.method} ${request.path}`),
      ['DELETE /bulk/imports/..%2Fx%3Fy%23z'],
    );
  });

  it('encodes the dot segments . and .. so they cannot climb out of /bulk/imports/', () => {
    assert.deepEqual(
      [encodePathSegment('.'), encodePathSegment('..'), encodePathSegment('a.b')],
      ['%2E', '%2E%2E', 'a.b'],
    );
  });

  it('delivers every valid id intact as exactly one path segment', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), async (id) => {
        emulator.reset();
        await rejectionOf(runActivity(activities.describeImport, { indexHost, id }));
        const [request] = emulator.requests();
        const segment = request!.path.slice('/bulk/imports/'.length);
        assert.ok(request!.path.startsWith('/bulk/imports/'));
        assert.doesNotMatch(segment, /[/?#]/);
        assert.equal(decodeURIComponent(segment), id);
      }),
      { numRuns: 100 },
    );
  });

  it('describes an import in ImportModel shape, dropping unknown fields', async () => {
    emulator.addImport({ id: '7', uri: 's3://b/d', status: 'InProgress', percentComplete: 42.5, recordsImported: 10 });
    emulator.fail({
      method: 'GET',
      path: '/bulk/imports/7',
      status: 200,
      body: { id: '7', status: 'InProgress', uri: 's3://b/d', percentComplete: 42.5, futureField: true },
    });
    const model = await runActivity(activities.describeImport, { indexHost, id: '7' });
    assert.deepEqual(model, { id: '7', status: 'InProgress', uri: 's3://b/d', percentComplete: 42.5 });
  });

  it('never logs the key or a request body', async () => {
    await runActivity(activities.startImport, { indexHost, uri: 's3://b/secret-location' });
    await rejectionOf(runActivity(activities.describeImport, { indexHost, id: 'missing' }));
    assert.ok(
      logLines.some((line) => line.includes('describeImport failed')),
      'the failure was not logged at all',
    );
    assertKeyNotLogged();
    assert.deepEqual(
      logLines.filter((line) => line.includes('secret-location')),
      [],
    );
  });
});

describe('requests: an injected undici MockAgent', () => {
  const origin = 'https://idx-abc.svc.us-east1-aws.pinecone.io';
  let agent: MockAgent;

  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
  });

  afterEach(async () => {
    await agent.close();
  });

  it('serves the activities through the injected dispatcher, with the default allowlist', async () => {
    const sent: unknown[] = [];
    agent
      .get(origin)
      .intercept({ path: '/bulk/imports', method: 'POST' })
      .reply((request) => {
        sent.push(JSON.parse(request.body as string));
        return { statusCode: 200, data: { id: '101' } };
      });
    const activities = createImportActivities({ apiKey: API_KEY, dispatcher: agent });
    const started = await runActivity(activities.startImport, {
      indexHost: 'idx-abc.svc.us-east1-aws.pinecone.io',
      uri: 's3://b/d',
      integrationId: 'int-1',
    });
    assert.deepEqual(started, { id: '101' });
    assert.deepEqual(sent, [{ uri: 's3://b/d', integrationId: 'int-1', errorMode: { onError: 'abort' } }]);
    agent.assertNoPendingInterceptors();
  });

  it("sends errorMode 'continue' when asked", async () => {
    const sent: unknown[] = [];
    agent
      .get(origin)
      .intercept({ path: '/bulk/imports', method: 'POST' })
      .reply((request) => {
        sent.push(JSON.parse(request.body as string));
        return { statusCode: 200, data: { id: '102' } };
      });
    const activities = createImportActivities({ apiKey: API_KEY, dispatcher: agent });
    await runActivity(activities.startImport, { indexHost: origin, uri: 'gs://b/d', errorMode: 'continue' });
    assert.deepEqual(sent, [{ uri: 'gs://b/d', errorMode: { onError: 'continue' } }]);
  });

  it('accepts a cancel answered with an empty body', async () => {
    agent.get(origin).intercept({ path: '/bulk/imports/101', method: 'DELETE' }).reply(200, '');
    const activities = createImportActivities({ apiKey: API_KEY, dispatcher: agent });
    assert.equal(await runActivity(activities.cancelImport, { indexHost: origin, id: '101' }), undefined);
    agent.assertNoPendingInterceptors();
  });
});
