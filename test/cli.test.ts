import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createImportActivities } from '../src/activities';
import { importWorkflowId, type PineconeImportWorkflow } from '../src/client';
import { startPineconeEmulator, type PineconeEmulator } from '../src/testing';
import type { ImportWorkflowState } from '../src/types';
import { runCli } from './helpers/cli';
import { devServerEnv, uniqueTaskQueue, withWorker } from './helpers/temporal';

const API_KEY = 'pcsk_cli_test_key';

describe('cli: usage', function () {
  this.slow(10_000);

  it('lists every command in --help and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    assert.equal(code, 0);
    for (const command of ['worker', 'sandbox', 'start [options]', 'cancel [options] <workflowId>', 'status']) {
      assert.ok(stdout.includes(command), `--help lacks ${command}:\n${stdout}`);
    }
  });

  it('documents --reason in cancel --help', async () => {
    const { code, stdout } = await runCli(['cancel', '--help']);
    assert.equal(code, 0);
    assert.match(stdout, /--reason <text>/);
  });

  it('exits 2 on an unknown command', async () => {
    const { code, stderr } = await runCli(['launch']);
    assert.equal(code, 2);
    assert.match(stderr, /error: unknown command 'launch'/);
  });

  it('exits 2 when cancel has no workflow id', async () => {
    const { code, stderr } = await runCli(['cancel']);
    assert.equal(code, 2);
    assert.match(stderr, /error: missing required argument 'workflowId'/);
  });

  it('exits 2 when start has neither --uri nor --import-id', async () => {
    const { code, stderr } = await runCli(['start', '--index-host', 'idx-1.svc.x.pinecone.io']);
    assert.equal(code, 2);
    assert.match(stderr, /error: start needs --uri, or --import-id to adopt a running import/);
  });

  it('exits 2 on a duration it cannot read', async () => {
    const { code, stderr } = await runCli([
      'start',
      '--index-host',
      'h.pinecone.io',
      '--uri',
      's3://b/',
      '--timeout',
      'soon',
    ]);
    assert.equal(code, 2);
    assert.match(stderr, /option '--timeout <duration>' argument 'soon' is invalid/);
  });

  it('exits 2 on a deadline that is not an ISO-8601 instant', async () => {
    const args = ['start', '--index-host', 'h.pinecone.io', '--uri', 's3://b/', '--deadline', 'tomorrow'];
    const { code, stderr } = await runCli(args, { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(code, 2);
    assert.match(stderr, /--deadline 'tomorrow' is not an ISO-8601 instant/);
  });

  it('exits 2 on a sandbox port out of range', async () => {
    const { code, stderr } = await runCli(['sandbox', '--ui-port', '70000']);
    assert.equal(code, 2);
    assert.match(stderr, /option '--ui-port <port>' argument '70000' is invalid/);
  });

  it('exits 2 from worker with nothing configured, listing each missing setting', async () => {
    const { code, stderr } = await runCli(['worker']);
    assert.equal(code, 2);
    assert.match(stderr, /Invalid configuration:\n {2}- TEMPORAL_ADDRESS is not set/);
    assert.match(stderr, /\n {2}- PINECONE_API_KEY is not set/);
  });

  it('exits 1 when the Temporal server cannot be reached', async () => {
    const { code, stderr } = await runCli(['status', 'any'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(code, 1);
    assert.match(stderr, /^error: /);
  });
});

describe('cli: import commands on the dev server', function () {
  this.slow(20_000);
  let env: TestWorkflowEnvironment;
  let emulator: PineconeEmulator;
  let temporal: Record<string, string>;
  const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });

  before(async () => {
    env = await devServerEnv();
    emulator = await startPineconeEmulator({ apiKey: API_KEY });
    temporal = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default' };
  });

  after(async () => {
    await emulator.close();
  });

  it('starts, reports and cancels an import', async () => {
    const taskQueue = uniqueTaskQueue('cli round trip');
    const uri = `s3://bucket/${taskQueue}/`;
    await withWorker(env, { taskQueue, activities }, async () => {
      const started = await runCli(
        ['start', '--index-host', emulator.url, '--uri', uri, '--task-queue', taskQueue, '--poll-interval', '1s'],
        temporal,
      );
      assert.equal(started.code, 0, started.stderr);
      const workflowId = started.stdout.trim();
      assert.equal(workflowId, importWorkflowId({ indexHost: emulator.url, uri }));

      let state: ImportWorkflowState | undefined;
      for (let attempt = 0; attempt < 20 && state?.phase !== 'waiting'; attempt++) {
        const status = await runCli(['status', workflowId], temporal);
        assert.equal(status.code, 0, status.stderr);
        state = JSON.parse(status.stdout) as ImportWorkflowState;
      }
      assert.equal(state?.phase, 'waiting');
      assert.equal(state?.importId, emulator.imports()[0]?.id);

      const cancelled = await runCli(['cancel', workflowId, '--reason', 'from the cli'], temporal);
      assert.equal(cancelled.code, 0, cancelled.stderr);
      assert.equal(cancelled.stdout.trim(), `Cancel requested for ${workflowId}`);
      const result = await env.client.workflow.getHandle<PineconeImportWorkflow>(workflowId).result();
      assert.equal(result.outcome, 'cancelled');
      assert.equal(result.cancelReason, 'from the cli');
    });
  });

  it('exits 1 with the reason when the workflow does not exist', async () => {
    const { code, stderr } = await runCli(['cancel', 'pinecone-import-nobody'], temporal);
    assert.equal(code, 1);
    assert.match(stderr, /^error: .*not found/i);
  });
});
