import assert from 'node:assert/strict';
import { PINECONE_BAD_REQUEST, PINECONE_NOT_FOUND, PINECONE_SERVER_ERROR } from '../../src/failures';
import { createImportActivities } from '../../src/activities';
import type { PineconeEmulator } from '../../src/testing';
import { useEmulator } from '../helpers/emulator';
import { API_KEY, assertFailure, rejectionOf, runActivity } from './helpers';

describe('describeImport, listImports and cancelImport', () => {
  let emulator: PineconeEmulator;
  const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });
  let indexHost: string;

  useEmulator({ apiKey: API_KEY }, (started) => {
    emulator = started;
    indexHost = started.url;
  });

  it('describes an import as the emulator holds it', async () => {
    const { id } = await runActivity(activities.startImport, { indexHost, uri: 's3://b/d' });
    emulator.setStatus(id, 'InProgress', { percentComplete: 12.5, recordsImported: 300 });
    const model = await runActivity(activities.describeImport, { indexHost, id });
    assert.deepEqual(model, emulator.imports()[0]);
    assert.deepEqual([model.status, model.percentComplete, model.recordsImported], ['InProgress', 12.5, 300]);
  });

  it('returns one page and the token of the next, then the last page without one', async () => {
    for (let i = 0; i < 3; i++) await runActivity(activities.startImport, { indexHost, uri: `s3://b/${i}` });
    const first = await runActivity(activities.listImports, { indexHost, limit: 2 });
    assert.deepEqual(
      first.data.map((model) => model.uri),
      ['s3://b/0', 's3://b/1'],
    );
    assert.equal(typeof first.next, 'string');
    const second = await runActivity(activities.listImports, { indexHost, limit: 2, paginationToken: first.next });
    assert.deepEqual(second, { data: [emulator.imports()[2]] });
  });

  it('fails a pagination token the server does not know as PineconeBadRequest', async () => {
    const err = await rejectionOf(runActivity(activities.listImports, { indexHost, paginationToken: 'bogus' }));
    assertFailure(err, { type: PINECONE_BAD_REQUEST, nonRetryable: true, method: 'GET', path: '/bulk/imports' });
  });

  it('cancels a running import', async () => {
    const { id } = await runActivity(activities.startImport, { indexHost, uri: 's3://b/d' });
    emulator.setStatus(id, 'InProgress');
    assert.equal(await runActivity(activities.cancelImport, { indexHost, id }), undefined);
    assert.equal(emulator.imports()[0]?.status, 'Cancelled');
  });

  it('succeeds cancelling an import that already finished, leaving it as it was', async () => {
    const { id } = await runActivity(activities.startImport, { indexHost, uri: 's3://b/d' });
    emulator.setStatus(id, 'Completed');
    await runActivity(activities.cancelImport, { indexHost, id });
    await runActivity(activities.cancelImport, { indexHost, id });
    assert.equal(emulator.imports()[0]?.status, 'Completed');
  });

  it('succeeds on the retry of a cancel whose response was lost', async () => {
    const { id } = await runActivity(activities.startImport, { indexHost, uri: 's3://b/d' });
    emulator.fail({ method: 'DELETE', afterEffect: true, status: 503 });
    const lost = await rejectionOf(runActivity(activities.cancelImport, { indexHost, id }, { attempt: 1 }));
    assertFailure(lost, { type: PINECONE_SERVER_ERROR, nonRetryable: false, method: 'DELETE' });
    await runActivity(activities.cancelImport, { indexHost, id }, { attempt: 2 });
    assert.equal(emulator.imports()[0]?.status, 'Cancelled');
  });

  it('fails cancelling an unknown import as PineconeNotFound', async () => {
    const err = await rejectionOf(runActivity(activities.cancelImport, { indexHost, id: '404' }));
    assertFailure(err, {
      type: PINECONE_NOT_FOUND,
      nonRetryable: true,
      method: 'DELETE',
      path: '/bulk/imports/404',
    });
  });

  it('treats the 200 status of a cancel as success whatever its body', async () => {
    const { id } = await runActivity(activities.startImport, { indexHost, uri: 's3://b/d' });
    emulator.fail({ method: 'DELETE', malformed: true, afterEffect: true, status: 200 });
    assert.equal(await runActivity(activities.cancelImport, { indexHost, id }), undefined);
    assert.equal(emulator.imports()[0]?.status, 'Cancelled');
  });
});
