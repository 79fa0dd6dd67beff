import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startImportWorkflow } from '../src/client';
import { startPineconeEmulator, type PineconeEmulator } from '../src/testing';
import { freePort } from '../src/dev-server';
import { spawnEntry, type Running } from './helpers/cli';
import { devServerEnv, uniqueTaskQueue } from './helpers/temporal';

const API_KEY = 'pcsk_worker_process_key';

/** `npm start` (`src/worker.ts`) and `cli worker` as processes, configured only through the environment. */
describe('worker process', function () {
  this.timeout(90_000);
  this.slow(20_000);
  let env: TestWorkflowEnvironment;
  let emulator: PineconeEmulator;
  const running: Running[] = [];

  before(async () => {
    env = await devServerEnv();
    emulator = await startPineconeEmulator({ apiKey: API_KEY, progress: { completeAfterMs: 1_500 } });
  });

  after(async () => {
    for (const worker of running.filter((candidate) => candidate.child.exitCode === null)) {
      worker.child.kill('SIGKILL');
      await worker.finished();
    }
    await emulator.close();
  });

  function startWorker(entry: string, args: string[], taskQueue: string, extra: Record<string, string> = {}): Running {
    const worker = spawnEntry(entry, args, {
      ...extra,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
      PINECONE_API_KEY: API_KEY,
      PINECONE_ALLOWED_HOSTS: '127.0.0.1',
    });
    running.push(worker);
    return worker;
  }

  async function waitForPolling(worker: Running): Promise<void> {
    for (let waited = 0; !worker.stderr().includes('Worker polling'); waited += 100) {
      if (worker.child.exitCode !== null) assert.fail(`the worker exited:\n${worker.stderr()}`);
      if (waited > 60_000) assert.fail(`the worker never polled:\n${worker.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('npm start with a Pinecone key but no Temporal address exits 2 naming the address', async () => {
    const { code, stderr } = await spawnEntry('src/worker.ts', [], { PINECONE_API_KEY: API_KEY }).finished();
    assert.equal(code, 2);
    assert.match(stderr, /PINECONE_API_KEY is set but TEMPORAL_ADDRESS \(or a profile with an address\) is not/);
    assert.ok(!stderr.includes(API_KEY));
  });

  it('npm start with a Temporal address but no Pinecone key exits 2 naming the key', async () => {
    const { code, stderr } = await spawnEntry('src/worker.ts', [], { TEMPORAL_ADDRESS: env.address }).finished();
    assert.equal(code, 2);
    assert.match(stderr, /a Temporal address is set but PINECONE_API_KEY is not/);
  });

  it('npm start with both configured runs an import to completion, then stops on SIGTERM with exit 0', async () => {
    const taskQueue = uniqueTaskQueue('npm start worker');
    const worker = startWorker('src/worker.ts', [], taskQueue);
    await waitForPolling(worker);

    const handle = await startImportWorkflow(
      env.client,
      { indexHost: emulator.url, uri: `s3://bucket/${taskQueue}/`, pollInterval: '1 second' },
      { taskQueue },
    );
    const result = await handle.result();
    worker.child.kill('SIGTERM');
    const { code } = await worker.finished();

    assert.equal(result.outcome, 'completed');
    assert.equal(code, 0, worker.stderr());
    assert.match(worker.stderr(), /Worker stopped/);
    assert.ok(!worker.stderr().includes(API_KEY), 'the Pinecone key reached the logs');
  });

  it('cli worker stops on SIGINT with exit 0', async () => {
    const worker = startWorker('src/cli.ts', ['worker'], uniqueTaskQueue('cli worker sigint'));
    await waitForPolling(worker);

    worker.child.kill('SIGINT');
    const { code, signal } = await worker.finished();

    assert.equal(signal, null);
    assert.equal(code, 0, worker.stderr());
  });

  it('serves Prometheus metrics on the configured address', async () => {
    const metricsPort = await freePort();
    const worker = startWorker('src/cli.ts', ['worker'], uniqueTaskQueue('prometheus'), {
      TEMPORAL_METRICS_PROMETHEUS_ADDRESS: `127.0.0.1:${metricsPort}`,
    });
    await waitForPolling(worker);

    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    const body = await response.text();
    worker.child.kill('SIGINT');
    await worker.finished();

    assert.equal(response.status, 200);
    assert.match(body, /^temporal_/m);
  });

  it('exits 1 with the reason when the Temporal server is unreachable', async () => {
    const worker = spawnEntry('src/cli.ts', ['worker'], { TEMPORAL_ADDRESS: '127.0.0.1:1', PINECONE_API_KEY: 'k' });
    const { code, stderr } = await worker.finished();
    assert.equal(code, 1);
    assert.match(stderr, /^error: .*(connect|refused|transport)/im);
  });
});
