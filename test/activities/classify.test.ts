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
import { decide, MAX_RETRY_AFTER_MS, parseRetryAfter, toFailure } from '../../src/activities/classify';

describe('classify: the decision table', () => {
  const rows: [number, string, boolean][] = [
    [400, PINECONE_BAD_REQUEST, false],
    [422, PINECONE_BAD_REQUEST, false],
    [401, PINECONE_UNAUTHORIZED, false],
    [403, PINECONE_FORBIDDEN, false],
    [404, PINECONE_NOT_FOUND, false],
    [409, PINECONE_CONFLICT, false],
    [408, PINECONE_NETWORK_ERROR, true],
    [429, PINECONE_RATE_LIMITED, true],
    [500, PINECONE_SERVER_ERROR, true],
    [503, PINECONE_SERVER_ERROR, true],
    [599, PINECONE_SERVER_ERROR, true],
    [418, PINECONE_BAD_REQUEST, false],
    [302, PINECONE_BAD_REQUEST, false],
  ];
  for (const [status, type, retryable] of rows) {
    it(`maps ${status} to ${type}, ${retryable ? 'retryable' : 'not retryable'}`, () => {
      assert.deepEqual(
        { type: decide({ kind: 'status', status }).type, retryable: decide({ kind: 'status', status }).retryable },
        { type, retryable },
      );
    });
  }

  it('maps transport errors, timeouts and malformed bodies to retryable PineconeNetworkError', () => {
    for (const outcome of [
      { kind: 'transport' as const, code: 'ECONNRESET' },
      { kind: 'timeout' as const, timeoutMs: 5 },
      { kind: 'malformed' as const, status: 200 },
    ]) {
      assert.deepEqual(
        { type: decide(outcome).type, retryable: decide(outcome).retryable },
        { type: PINECONE_NETWORK_ERROR, retryable: true },
      );
    }
  });

  it('names the request and the status in a one-line message', () => {
    const failure = toFailure({
      method: 'DELETE',
      path: '/bulk/imports/42',
      outcome: { kind: 'status', status: 503 },
      nowMs: 0,
    });
    assert.equal(failure.message, 'DELETE /bulk/imports/42 failed with 503');
  });

  it('sets nextRetryDelay only for 429 and 503', () => {
    const delays = [429, 503, 500, 502].map(
      (status) =>
        toFailure({
          method: 'GET',
          path: '/bulk/imports',
          outcome: { kind: 'status', status },
          retryAfter: '3',
          nowMs: 0,
        }).nextRetryDelay,
    );
    assert.deepEqual(delays, [3000, 3000, undefined, undefined]);
  });
});

describe('classify: Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delta-seconds', () => {
    assert.equal(parseRetryAfter('12', now), 12_000);
  });

  it('reads an HTTP date relative to now', () => {
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:01:30 GMT', now), 90_000);
  });

  it('treats a date in the past as no wait', () => {
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
  });

  it('caps both forms at five minutes', () => {
    assert.deepEqual(
      [parseRetryAfter('86400', now), parseRetryAfter('Fri, 02 Jan 2026 00:00:00 GMT', now)],
      [MAX_RETRY_AFTER_MS, MAX_RETRY_AFTER_MS],
    );
    assert.equal(MAX_RETRY_AFTER_MS, 300_000);
  });

  it('ignores absent, empty, negative and unparseable values', () => {
    assert.deepEqual(
      [undefined, '', '-5', 'soon', '1.5'].map((value) => parseRetryAfter(value, now)),
      [undefined, undefined, undefined, undefined, undefined],
    );
  });
});
