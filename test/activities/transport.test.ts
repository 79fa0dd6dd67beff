import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { PINECONE_NETWORK_ERROR } from '../../src/failures';
import { createImportActivities, type ImportActivities } from '../../src/activities';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';
import { activityEnvironment, API_KEY, assertFailure, rejectionOf, runActivity } from './helpers';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('transport: resets, hangs, timeouts and cancellation', () => {
  let emulator: PineconeEmulator;
  let activities: ImportActivities;
  let indexHost: string;
  /** Answers headers and half a body, then goes silent. */
  let stallingServer: Server;
  let stallingHost: string;

  before(async () => {
    emulator = await startPineconeEmulator({ apiKey: API_KEY });
    indexHost = emulator.url;
    activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'], requestTimeoutMs: 300 });
    stallingServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"id": "1", ');
    });
    stallingHost = await listen(stallingServer);
  });

  beforeEach(() => {
    emulator.reset();
    emulator.addImport({ id: '1', uri: 's3://b/d', status: 'Pending' });
  });

  after(async () => {
    await emulator.close();
    await closeServer(stallingServer);
  });

  it('fails a connection reset as retryable PineconeNetworkError', async () => {
    emulator.fail({ method: 'GET', reset: true });
    const err = await rejectionOf(runActivity(activities.describeImport, { indexHost, id: '1' }));
    const failure = assertFailure(err, { type: PINECONE_NETWORK_ERROR, nonRetryable: false, path: '/bulk/imports/1' });
    assert.match((failure.details[0] as { code: string }).code, /^(ECONNRESET|UND_ERR_SOCKET|EPIPE)$/);
    assert.match(failure.message, /^GET \/bulk\/imports\/1 failed: /);
  });

  it('fails a refused connection as retryable PineconeNetworkError', async () => {
    const closed = createServer();
    const host = await listen(closed);
    await closeServer(closed);
    const err = await rejectionOf(runActivity(activities.describeImport, { indexHost: host, id: '1' }));
    assertFailure(err, {
      type: PINECONE_NETWORK_ERROR,
      nonRetryable: false,
      details: { code: 'ECONNREFUSED', method: 'GET', path: '/bulk/imports/1' },
    });
  });

  it('fails a server that never answers after requestTimeoutMs', async () => {
    emulator.fail({ method: 'DELETE', delayMs: 10_000 });
    const startedAt = Date.now();
    const err = await rejectionOf(runActivity(activities.cancelImport, { indexHost, id: '1' }));
    assertFailure(err, {
      type: PINECONE_NETWORK_ERROR,
      nonRetryable: false,
      details: { code: 'RequestTimeout', method: 'DELETE', path: '/bulk/imports/1' },
    });
    assert.equal(err instanceof ApplicationFailure && err.message, 'DELETE /bulk/imports/1 timed out after 300 ms');
    assert.ok(Date.now() - startedAt < 5_000, 'the 10 s hang must be cut short by the 300 ms budget');
  });

  it('fails a body that stalls halfway after requestTimeoutMs', async () => {
    const err = await rejectionOf(runActivity(activities.describeImport, { indexHost: stallingHost, id: '1' }));
    assertFailure(err, {
      type: PINECONE_NETWORK_ERROR,
      nonRetryable: false,
      details: { code: 'RequestTimeout', method: 'GET', path: '/bulk/imports/1' },
    });
  });

  it('aborts a hung request within 100 ms of cancellation and reports cancellation', async () => {
    const patient = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });
    emulator.fail({ method: 'GET', delayMs: 30_000 });
    const env = activityEnvironment();
    const running = rejectionOf(env.run(patient.describeImport, { indexHost, id: '1' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(emulator.requests().length, 1, 'the request must be in flight before cancelling');

    const cancelledAt = Date.now();
    env.cancel();
    const err = await running;
    const elapsedMs = Date.now() - cancelledAt;

    assert.ok(err instanceof CancelledFailure, `expected CancelledFailure, got ${String(err)}`);
    assert.ok(!(err instanceof ApplicationFailure));
    assert.ok(elapsedMs < 100, `cancellation took ${elapsedMs} ms`);
  });

  it('reports cancellation without sending anything when already cancelled', async () => {
    const env = activityEnvironment();
    env.cancel();
    const err = await rejectionOf(env.run(activities.cancelImport, { indexHost, id: '1' }));
    assert.ok(err instanceof CancelledFailure, `expected CancelledFailure, got ${String(err)}`);
    assert.deepEqual(emulator.requests(), []);
  });
});
