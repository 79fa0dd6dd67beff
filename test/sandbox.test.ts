import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { PineconeImportWorkflow } from '../src/client';
import { accepts, freePort } from '../src/dev-server';
import { spawnEntry, type Running } from './helpers/cli';

/**
 * The sandbox as `npm start` runs it, on free ports and a temporary database so that it never collides with the
 * harness's dev server; imports complete 5 s after they start instead of 2 minutes.
 */
describe('sandbox', function () {
  this.timeout(120_000);
  this.slow(30_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tpi-sandbox-'));
  const dbFile = path.join(dataDir, 'sandbox.db');
  let ports: { port: number; uiPort: number; emulatorPort: number };
  let sandbox: Running | undefined;
  let firstSampleId: string;
  let unfinishedSampleId: string;

  async function startSandbox(completeAfter = '5s'): Promise<{ running: Running; workflowId: string }> {
    const running = spawnEntry('src/cli.ts', [
      'sandbox',
      ...['--port', String(ports.port), '--ui-port', String(ports.uiPort)],
      ...['--emulator-port', String(ports.emulatorPort), '--db-file', dbFile, '--complete-after', completeAfter],
    ]);
    sandbox = running;
    const [, workflowId] = await running.waitForLine(/Sample workflow: +(\S+)/, 90_000);
    return { running, workflowId: workflowId! };
  }

  async function withClient<T>(body: (client: Client) => Promise<T>): Promise<T> {
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.port}` });
    try {
      return await body(new Client({ connection }));
    } finally {
      await connection.close();
    }
  }

  before(async () => {
    ports = { port: await freePort(), uiPort: await freePort(), emulatorPort: await freePort() };
  });

  after(async () => {
    if (sandbox !== undefined && sandbox.child.exitCode === null) {
      sandbox.child.kill('SIGINT');
      await sandbox.finished();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings up the dev server, the emulator and the worker, and the sample import completes', async () => {
    const { running, workflowId } = await startSandbox();
    firstSampleId = workflowId;

    const result = await withClient((client) => client.workflow.getHandle<PineconeImportWorkflow>(workflowId).result());
    assert.equal(result.outcome, 'completed');
    assert.equal(result.import.status, 'Completed');
    assert.equal(result.import.percentComplete, 100);
    assert.match(running.stdout(), new RegExp(`Temporal Web UI: +http://127\\.0\\.0\\.1:${ports.uiPort}`));
    assert.match(running.stdout(), new RegExp(`cancel ${workflowId} --reason`));
    assert.match(running.stdout(), new RegExp(`temporal workflow signal .*--workflow-id ${workflowId} --name cancel`));
  });

  it('serves the Temporal Web UI', async () => {
    const response = await fetch(`http://127.0.0.1:${ports.uiPort}/`);
    await response.body?.cancel();
    assert.equal(response.status, 200);
  });

  it('keeps its database in the given file', () => {
    assert.ok(existsSync(dbFile));
  });

  it('stops everything on SIGINT and exits 0', async () => {
    sandbox!.child.kill('SIGINT');
    const { code, signal } = await sandbox!.finished();

    assert.equal(signal, null);
    assert.equal(code, 0, sandbox!.stderr());
    assert.equal(await accepts('127.0.0.1', ports.port), false, 'the dev server still listens');
    assert.equal(await accepts('127.0.0.1', ports.emulatorPort), false, 'the emulator still listens');
  });

  it('reuses the first run on a second one: the earlier sample is still in history', async () => {
    // Ten minutes: this run's sample is still going when the run is stopped, for the next test.
    const { workflowId } = await startSandbox('10m');
    unfinishedSampleId = workflowId;
    const first = await withClient((client) => client.workflow.getHandle(firstSampleId).describe());

    assert.equal(first.status.name, 'COMPLETED');
    assert.notEqual(workflowId, firstSampleId);
  });

  it('stops everything on SIGTERM and exits 0', async () => {
    sandbox!.child.kill('SIGTERM');
    const { code, signal } = await sandbox!.finished();

    assert.equal(signal, null);
    assert.equal(code, 0, sandbox!.stderr());
    assert.equal(await accepts('127.0.0.1', ports.port), false, 'the dev server still listens');
  });

  it('cancels a sample an earlier run left unfinished, then runs its own to completion', async () => {
    const { workflowId } = await startSandbox();
    const [left, own] = await withClient((client) =>
      Promise.all([
        client.workflow.getHandle<PineconeImportWorkflow>(unfinishedSampleId).result(),
        client.workflow.getHandle<PineconeImportWorkflow>(workflowId).result(),
      ]),
    );

    assert.equal(left.outcome, 'cancelled');
    assert.equal(left.cancelReason, 'sandbox restarted: its emulator forgot this import');
    assert.equal(own.outcome, 'completed');
  });

  it('after a SIGKILL, the next run stops the dev server the killed run left and starts its own', async () => {
    sandbox!.child.kill('SIGKILL');
    await sandbox!.finished();
    assert.equal(
      await accepts('127.0.0.1', ports.port),
      true,
      'the killed sandbox took its dev server with it: nothing to prove',
    );

    const { workflowId } = await startSandbox();
    const own = await withClient((client) => client.workflow.getHandle<PineconeImportWorkflow>(workflowId).result());

    assert.match(sandbox!.stdout() + sandbox!.stderr(), /Stopping the Temporal dev server an earlier sandbox left/);
    assert.equal(own.outcome, 'completed');
  });
});
