import assert from 'node:assert/strict';
import { PINECONE_CONFLICT, PINECONE_SERVER_ERROR } from '../../src/failures';
import { createImportActivities, RECONCILE_CLOCK_SKEW_MS } from '../../src/activities';
import type { PineconeEmulator } from '../../src/testing';
import { useEmulator } from '../helpers/emulator';
import { API_KEY, assertFailure, rejectionOf, runActivity } from './helpers';

const URI = 's3://bucket/run-1';

describe('startImport', () => {
  let emulator: PineconeEmulator;
  const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });
  let indexHost: string;

  useEmulator({ apiKey: API_KEY }, (started) => {
    emulator = started;
    indexHost = started.url;
  });

  const methodsSent = () => emulator.requests().map((request) => `${request.method} ${request.path}`);

  it('posts once on the first attempt, without listing', async () => {
    const { id } = await runActivity(activities.startImport, { indexHost, uri: URI }, { attempt: 1 });
    assert.deepEqual(
      emulator.imports().map((model) => [model.id, model.uri, model.status]),
      [[id, URI, 'Pending']],
    );
    assert.deepEqual(methodsSent(), ['POST /bulk/imports']);
  });

  it('adopts the import a lost response created instead of starting a second one', async () => {
    const scheduledTimestampMs = Date.now();
    emulator.fail({ method: 'POST', path: '/bulk/imports', afterEffect: true });

    const lost = await rejectionOf(
      runActivity(activities.startImport, { indexHost, uri: URI }, { attempt: 1, scheduledTimestampMs }),
    );
    assertFailure(lost, { type: PINECONE_SERVER_ERROR, nonRetryable: false, path: '/bulk/imports' });
    const created = emulator.imports();
    assert.equal(created.length, 1, 'the lost POST took effect');

    const retried = await runActivity(
      activities.startImport,
      { indexHost, uri: URI },
      { attempt: 2, scheduledTimestampMs },
    );
    assert.deepEqual(retried, { id: created[0]!.id });
    assert.equal(emulator.imports().length, 1, 'exactly one import exists');
    assert.deepEqual(methodsSent(), ['POST /bulk/imports', 'GET /bulk/imports?limit=100']);
  });

  it('posts on a retry when the failed attempt created nothing', async () => {
    emulator.fail({ method: 'POST', status: 503 });
    const scheduledTimestampMs = Date.now();
    const input = { indexHost, uri: URI };
    assertFailure(await rejectionOf(runActivity(activities.startImport, input, { attempt: 1, scheduledTimestampMs })), {
      type: PINECONE_SERVER_ERROR,
      nonRetryable: false,
    });
    const { id } = await runActivity(activities.startImport, input, { attempt: 2, scheduledTimestampMs });
    assert.deepEqual(
      emulator.imports().map((model) => model.id),
      [id],
    );
    assert.deepEqual(methodsSent(), ['POST /bulk/imports', 'GET /bulk/imports?limit=100', 'POST /bulk/imports']);
  });

  it('does not adopt an import of the same uri created before the first attempt was scheduled', async () => {
    const scheduledTimestampMs = Date.now();
    const old = new Date(scheduledTimestampMs - RECONCILE_CLOCK_SKEW_MS - 60_000).toISOString();
    emulator.addImport({ id: 'old', uri: URI, status: 'Completed', createdAt: old });
    const { id } = await runActivity(
      activities.startImport,
      { indexHost, uri: URI },
      { attempt: 3, scheduledTimestampMs },
    );
    assert.notEqual(id, 'old');
    assert.equal(emulator.imports().length, 2);
  });

  it('adopts within the clock-skew allowance, the earliest match, ignoring other uris', async () => {
    const scheduledTimestampMs = Date.now();
    const at = (offsetMs: number) => new Date(scheduledTimestampMs + offsetMs).toISOString();
    emulator.addImport({ id: 'other-uri', uri: 's3://bucket/other', status: 'Pending', createdAt: at(-60_000) });
    emulator.addImport({ id: 'later', uri: URI, status: 'Pending', createdAt: at(5_000) });
    emulator.addImport({
      id: 'skewed',
      uri: URI,
      status: 'InProgress',
      createdAt: at(-RECONCILE_CLOCK_SKEW_MS + 1_000),
    });
    emulator.addImport({ id: 'no-date', uri: URI, status: 'Pending' });
    emulator.setStatus('no-date', 'Pending', { createdAt: undefined });
    const { id } = await runActivity(
      activities.startImport,
      { indexHost, uri: URI },
      { attempt: 2, scheduledTimestampMs },
    );
    assert.equal(id, 'skewed');
    assert.equal(emulator.imports().length, 4);
  });

  it('reconciles across every page of the listing', async () => {
    const scheduledTimestampMs = Date.now();
    const createdAt = new Date(scheduledTimestampMs).toISOString();
    for (let i = 0; i < 230; i++) {
      emulator.addImport({ id: `filler-${i}`, uri: `s3://bucket/other-${i}`, status: 'Completed', createdAt });
    }
    emulator.addImport({ id: 'mine', uri: URI, status: 'Pending', createdAt });
    const { id } = await runActivity(
      activities.startImport,
      { indexHost, uri: URI },
      { attempt: 2, scheduledTimestampMs },
    );
    assert.equal(id, 'mine');
    assert.equal(methodsSent().filter((line) => line.startsWith('GET /bulk/imports')).length, 3);
    assert.ok(!methodsSent().includes('POST /bulk/imports'));
  });

  it('fails the retry as the listing fails, without posting', async () => {
    emulator.fail({ method: 'GET', path: '/bulk/imports', status: 500 });
    const err = await rejectionOf(runActivity(activities.startImport, { indexHost, uri: URI }, { attempt: 2 }));
    assertFailure(err, { type: PINECONE_SERVER_ERROR, nonRetryable: false, method: 'GET', path: '/bulk/imports' });
    assert.deepEqual(emulator.imports(), []);
  });

  it('fails 409 as non-retryable PineconeConflict', async () => {
    emulator.fail({ method: 'POST', status: 409 });
    const err = await rejectionOf(runActivity(activities.startImport, { indexHost, uri: URI }));
    assertFailure(err, { type: PINECONE_CONFLICT, nonRetryable: true, method: 'POST', path: '/bulk/imports' });
  });
});
