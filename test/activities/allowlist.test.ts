import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { MockAgent } from 'undici';
import { PINECONE_HOST_NOT_ALLOWED } from '../../src/failures';
import { createImportActivities } from '../../src/activities';
import { isHostAllowed } from '../../src/activities/http';
import { parseIndexHost } from '../../src/validation';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';
import { API_KEY, assertFailure, rejectionOf, runActivity } from './helpers';

const allowed = (indexHost: string, hosts: string[]) => isHostAllowed(parseIndexHost(indexHost), hosts);

describe('allowlist: the key is only sent to allowedHosts', () => {
  /** A raw TCP server that counts every connection it is offered. */
  let tcp: Server;
  let tcpPort: number;
  let connections = 0;
  const sockets = new Set<Socket>();
  let emulator: PineconeEmulator;

  before(async () => {
    tcp = createServer((socket) => {
      connections++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    tcpPort = (tcp.address() as AddressInfo).port;
    emulator = await startPineconeEmulator({ apiKey: API_KEY });
  });

  beforeEach(() => {
    connections = 0;
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    await emulator.close();
  });

  it('allows https to *.pinecone.io by default and nothing else', () => {
    const defaults = ['*.pinecone.io'];
    assert.deepEqual(
      [
        'idx-abc.svc.us-east1-aws.pinecone.io',
        'https://idx-abc.svc.aped-4627-b74a.pinecone.io',
        'http://idx-abc.svc.us-east1-aws.pinecone.io',
        'pinecone.io',
        'idx.pinecone.io.attacker.example',
        'idxpinecone.io',
        'http://127.0.0.1:5081',
        'localhost',
      ].map((host) => allowed(host, defaults)),
      [true, true, false, false, false, false, false, false],
    );
  });

  it('allows plain http only to a loopback host listed by its exact name', () => {
    assert.deepEqual(
      [
        allowed('http://127.0.0.1:5081', ['127.0.0.1']),
        allowed('http://localhost:5081', ['localhost']),
        allowed('http://LOCALHOST:5081', ['LocalHost']),
        allowed('http://[::1]:5081', ['::1']),
        allowed('http://127.0.0.1:5081', ['localhost']),
        allowed('http://db.internal', ['db.internal']),
        allowed('https://db.internal', ['db.internal']),
        allowed('http://a.localhost', ['*.localhost']),
      ],
      [true, true, true, true, false, false, true, false],
    );
  });

  it('refuses a host outside the list without opening a connection', async () => {
    const activities = createImportActivities({ apiKey: API_KEY });
    const err = await rejectionOf(
      runActivity(activities.cancelImport, { indexHost: `http://127.0.0.1:${tcpPort}`, id: '1' }),
    );
    assertFailure(err, {
      type: PINECONE_HOST_NOT_ALLOWED,
      nonRetryable: true,
      details: { method: 'DELETE', path: '/bulk/imports/1' },
    });
    assert.equal((err as Error).message, 'DELETE /bulk/imports/1 refused: http://127.0.0.1 is not in allowedHosts');
    assert.equal(connections, 0);
  });

  it('refuses https to an unlisted host with no connection, for every activity', async () => {
    const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['*.pinecone.io'] });
    const indexHost = `https://127.0.0.1:${tcpPort}`;
    const failures = [
      await rejectionOf(runActivity(activities.startImport, { indexHost, uri: 's3://b/d' })),
      await rejectionOf(runActivity(activities.describeImport, { indexHost, id: '1' })),
      await rejectionOf(runActivity(activities.listImports, { indexHost })),
      await rejectionOf(runActivity(activities.cancelImport, { indexHost, id: '1' })),
    ];
    for (const err of failures) assertFailure(err, { type: PINECONE_HOST_NOT_ALLOWED, nonRetryable: true });
    assert.equal(connections, 0);
  });

  it('refuses plain http to a listed non-loopback name without dispatching', async () => {
    // A MockAgent with no interceptors and no network: any dispatch would fail differently.
    const agent = new MockAgent();
    agent.disableNetConnect();
    const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['evil.example'], dispatcher: agent });
    const err = await rejectionOf(
      runActivity(activities.describeImport, { indexHost: 'http://evil.example', id: '1' }),
    );
    await agent.close();
    assertFailure(err, { type: PINECONE_HOST_NOT_ALLOWED, nonRetryable: true });
  });

  it('sends to a listed loopback host', async () => {
    const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });
    const page = await runActivity(activities.listImports, { indexHost: emulator.url });
    assert.deepEqual(page, { data: [] });
    assert.equal(emulator.requests().length, 1);
  });
});
