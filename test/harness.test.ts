import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { startDevServer } from '../src/dev-server';
import { devServerEnv, timeSkippingEnv, uniqueTaskQueue, withWorker } from './helpers/temporal';
import type { sleepWorkflow } from './workflows';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('test harness', () => {
  it('runs a 7-day sleep in seconds on the time-skipping server, whose clock moves on 7 days', async () => {
    const env = await timeSkippingEnv();
    const taskQueue = uniqueTaskQueue('seven-day sleep');
    const before = await env.currentTimeMs();
    const startedAt = performance.now();

    const result = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute<typeof sleepWorkflow>('sleepWorkflow', {
        args: ['7 days'],
        taskQueue,
        workflowId: taskQueue,
      }),
    );

    const after = await env.currentTimeMs();
    const realSeconds = (performance.now() - startedAt) / 1000;
    assert.equal(result, '7 days');
    assert.ok(after - before >= 7 * DAY_MS, `server clock advanced ${(after - before) / DAY_MS} days`);
    assert.ok(realSeconds < 60, `took ${realSeconds} s of real time`);
  });

  it('runs a workflow to completion on the dev server', async () => {
    const env = await devServerEnv();
    const taskQueue = uniqueTaskQueue('dev server workflow');

    const result = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute<typeof sleepWorkflow>('sleepWorkflow', {
        args: ['10 ms'],
        taskQueue,
        workflowId: taskQueue,
      }),
    );

    assert.equal(result, '10 ms');
  });

  it("serves the dev server's Web UI over HTTP on 127.0.0.1:8233", async () => {
    await devServerEnv();

    const response = await fetch('http://127.0.0.1:8233/');
    const body = await response.text();

    assert.equal(response.status, 200);
    assert.match(body, /<html/i);
  });

  it('refuses to start a dev server on a port another process holds, naming the port', async () => {
    const squatter = createServer().listen(0, '127.0.0.1');
    await once(squatter, 'listening');
    const { port } = squatter.address() as { port: number };
    try {
      await assert.rejects(startDevServer({ port }), {
        message: `127.0.0.1:${port} is already in use by another process`,
      });
    } finally {
      squatter.close();
    }
  });
});
