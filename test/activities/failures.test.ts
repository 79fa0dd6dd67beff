import assert from 'node:assert/strict';
import {
  PINECONE_BAD_REQUEST,
  PINECONE_CONFLICT,
  PINECONE_FORBIDDEN,
  PINECONE_NETWORK_ERROR,
  PINECONE_NOT_FOUND,
  PINECONE_RATE_LIMITED,
  PINECONE_SERVER_ERROR,
  PINECONE_UNAUTHORIZED,
} from '../../src/failures';
import { createImportActivities, MAX_RETRY_AFTER_MS } from '../../src/activities';
import type { PineconeEmulator } from '../../src/testing';
import { useEmulator } from '../helpers/emulator';
import { API_KEY, assertFailure, assertKeyNotLogged, rejectionOf, runActivity } from './helpers';

const REQUEST_ID = /^emulator-\d+$/;

describe('failures: every HTTP status of the decision table, through the emulator', () => {
  let emulator: PineconeEmulator;
  const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });
  let indexHost: string;
  let importId: string;

  useEmulator({ apiKey: API_KEY }, (started) => {
    emulator = started;
    indexHost = started.url;
  });

  beforeEach(() => {
    importId = emulator.addImport({ id: '42', uri: 's3://bucket/dir', status: 'InProgress' }).id;
  });

  const rows: [number, string, boolean, string][] = [
    [400, PINECONE_BAD_REQUEST, false, '3'],
    [422, PINECONE_BAD_REQUEST, false, '3'],
    [401, PINECONE_UNAUTHORIZED, false, '16'],
    [403, PINECONE_FORBIDDEN, false, '7'],
    [404, PINECONE_NOT_FOUND, false, '5'],
    [409, PINECONE_CONFLICT, false, '6'],
    [429, PINECONE_RATE_LIMITED, true, '8'],
    [500, PINECONE_SERVER_ERROR, true, '13'],
    [502, PINECONE_SERVER_ERROR, true, '13'],
    [503, PINECONE_SERVER_ERROR, true, '14'],
  ];
  for (const [status, type, retryable, code] of rows) {
    it(`fails DELETE with ${status} as ${retryable ? 'retryable' : 'non-retryable'} ${type}`, async () => {
      emulator.fail({ method: 'DELETE', status });
      const err = await rejectionOf(runActivity(activities.cancelImport, { indexHost, id: importId }));
      const failure = assertFailure(err, { type, nonRetryable: !retryable });
      const details = failure.details[0] as { requestId?: string };
      assert.match(details.requestId ?? '', REQUEST_ID);
      assert.deepEqual(failure.details[0], {
        status,
        code,
        message: `injected fault: status ${status}`,
        requestId: details.requestId,
        method: 'DELETE',
        path: '/bulk/imports/42',
      });
      assert.equal(failure.message, `DELETE /bulk/imports/42 failed with ${status}`);
      assert.equal(failure.nextRetryDelay, undefined);
    });
  }

  it('fails with PineconeUnauthorized when the key is wrong', async () => {
    const wrongKey = createImportActivities({ apiKey: 'not-the-key', allowedHosts: ['127.0.0.1'] });
    const err = await rejectionOf(runActivity(wrongKey.describeImport, { indexHost, id: importId }));
    assertFailure(err, { type: PINECONE_UNAUTHORIZED, nonRetryable: true, method: 'GET', path: '/bulk/imports/42' });
  });

  it('fails with PineconeNotFound for an unknown id', async () => {
    const err = await rejectionOf(runActivity(activities.describeImport, { indexHost, id: '999' }));
    const failure = assertFailure(err, { type: PINECONE_NOT_FOUND, nonRetryable: true });
    assert.equal((failure.details[0] as { message?: string }).message, 'import "999" not found');
  });

  it('sets nextRetryDelay from Retry-After in delta-seconds on 429', async () => {
    emulator.fail({ method: 'GET', status: 429, headers: { 'Retry-After': '7' } });
    const err = await rejectionOf(runActivity(activities.describeImport, { indexHost, id: importId }));
    const failure = assertFailure(err, { type: PINECONE_RATE_LIMITED, nonRetryable: false });
    assert.equal(failure.nextRetryDelay, 7000);
  });

  it('sets nextRetryDelay from Retry-After as an HTTP date on 503', async () => {
    const at = new Date(Date.now() + 120_000);
    emulator.fail({ method: 'GET', status: 503, headers: { 'Retry-After': at.toUTCString() } });
    const err = await rejectionOf(runActivity(activities.listImports, { indexHost }));
    const failure = assertFailure(err, { type: PINECONE_SERVER_ERROR, nonRetryable: false, path: '/bulk/imports' });
    const delay = failure.nextRetryDelay as number;
    // The date has one-second resolution and the request takes a little time.
    assert.ok(delay > 115_000 && delay <= 120_000, `nextRetryDelay ${delay}`);
  });

  it('caps a Retry-After longer than five minutes', async () => {
    emulator.fail({ method: 'POST', status: 429, headers: { 'Retry-After': '3600' } });
    const err = await rejectionOf(runActivity(activities.startImport, { indexHost, uri: 's3://b/d' }));
    assert.equal(
      assertFailure(err, { type: PINECONE_RATE_LIMITED, nonRetryable: false }).nextRetryDelay,
      MAX_RETRY_AFTER_MS,
    );
  });

  it('ignores Retry-After on statuses other than 429 and 503', async () => {
    emulator.fail({ method: 'GET', status: 500, headers: { 'Retry-After': '7' } });
    const err = await rejectionOf(runActivity(activities.describeImport, { indexHost, id: importId }));
    assert.equal(assertFailure(err, { type: PINECONE_SERVER_ERROR, nonRetryable: false }).nextRetryDelay, undefined);
  });

  it("reads Pinecone's { error: { code, message } } body", async () => {
    const body = { error: { code: 'RESOURCE_EXHAUSTED', message: 'Too many imports in progress' }, status: 429 };
    emulator.fail({ method: 'POST', status: 429, body });
    const err = await rejectionOf(runActivity(activities.startImport, { indexHost, uri: 's3://b/d' }));
    const failure = assertFailure(err, { type: PINECONE_RATE_LIMITED, nonRetryable: false });
    const details = failure.details[0] as { code?: string; message?: string };
    assert.deepEqual([details.code, details.message], ['RESOURCE_EXHAUSTED', 'Too many imports in progress']);
  });

  it('reads a plain-text error body as the message, on one line', async () => {
    emulator.fail({ method: 'GET', status: 502, body: '<html>\n  Bad gateway\n</html>' });
    const err = await rejectionOf(runActivity(activities.describeImport, { indexHost, id: importId }));
    const failure = assertFailure(err, { type: PINECONE_SERVER_ERROR, nonRetryable: false });
    const details = failure.details[0] as { code?: string; message?: string };
    assert.deepEqual([details.code, details.message], [undefined, '<html> Bad gateway </html>']);
  });

  it('bounds a huge error body and still answers', async () => {
    emulator.fail({ method: 'GET', status: 500, body: 'x'.repeat(2 * 1024 * 1024) });
    const err = await rejectionOf(runActivity(activities.describeImport, { indexHost, id: importId }));
    const failure = assertFailure(err, { type: PINECONE_SERVER_ERROR, nonRetryable: false });
    assert.ok(((failure.details[0] as { message: string }).message.length ?? 0) <= 1001);
    // The connection was abandoned, not reused half-read: the next request works.
    assert.equal((await runActivity(activities.describeImport, { indexHost, id: importId })).id, importId);
  });

  it('fails a malformed success body as retryable PineconeNetworkError', async () => {
    emulator.fail({ method: 'GET', malformed: true });
    const err = await rejectionOf(runActivity(activities.describeImport, { indexHost, id: importId }));
    assertFailure(err, {
      type: PINECONE_NETWORK_ERROR,
      nonRetryable: false,
      details: { status: 200, method: 'GET', path: '/bulk/imports/42' },
    });
  });

  it('fails a success body of the wrong shape as retryable PineconeNetworkError', async () => {
    emulator.fail({ method: 'GET', status: 200, body: { data: 'not a list' } });
    const err = await rejectionOf(runActivity(activities.listImports, { indexHost }));
    assertFailure(err, {
      type: PINECONE_NETWORK_ERROR,
      nonRetryable: false,
      details: { status: 200, method: 'GET', path: '/bulk/imports' },
    });
  });

  it('fails with 500, then succeeds when called again as attempt 2', async () => {
    emulator.fail({ method: 'GET', status: 500 });
    const first = await rejectionOf(
      runActivity(activities.describeImport, { indexHost, id: importId }, { attempt: 1 }),
    );
    assertFailure(first, { type: PINECONE_SERVER_ERROR, nonRetryable: false });
    const second = await runActivity(activities.describeImport, { indexHost, id: importId }, { attempt: 2 });
    assert.deepEqual(second, { id: '42', uri: 's3://bucket/dir', status: 'InProgress' });
  });

  it('never lets the key into a failure or a log line, even when the server echoes it', async () => {
    const echo = `invalid key ${API_KEY} for project`;
    emulator.fail({
      method: 'GET',
      status: 401,
      body: { code: 16, message: echo },
      headers: { 'x-request-id': API_KEY },
    });
    emulator.fail({ method: 'DELETE', status: 403, body: echo });
    emulator.fail({ method: 'POST', status: 429, body: { error: { code: API_KEY, message: echo } } });
    const failures = [
      await rejectionOf(runActivity(activities.describeImport, { indexHost, id: importId })),
      await rejectionOf(runActivity(activities.cancelImport, { indexHost, id: importId })),
      await rejectionOf(runActivity(activities.startImport, { indexHost, uri: 's3://b/d' })),
    ];
    assertFailure(failures[0], { type: PINECONE_UNAUTHORIZED, nonRetryable: true });
    assertFailure(failures[1], { type: PINECONE_FORBIDDEN, nonRetryable: true });
    const limited = assertFailure(failures[2], { type: PINECONE_RATE_LIMITED, nonRetryable: false });
    assert.equal((limited.details[0] as { message?: string }).message, 'invalid key [redacted] for project');
    assertKeyNotLogged();
  });
});
