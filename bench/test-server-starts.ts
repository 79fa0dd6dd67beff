/**
 * Measures how long `TestWorkflowEnvironment.createTimeSkipping` takes to start `.temporal/bin/temporal-test-server`
 * and connect, over consecutive starts. The SDK gives up after about 5 s, so the maximum is what matters.
 *
 *   npx ts-node bench/test-server-starts.ts [starts=20] [--without-archive]
 */
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';

const testServerPath = path.resolve(__dirname, '..', '.temporal', 'bin', 'temporal-test-server');

async function main(): Promise<void> {
  const starts = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 20);
  if (process.argv.includes('--without-archive')) process.env.TEMPORAL_TEST_SERVER_NO_ARCHIVE = '1';

  const durationsMs: number[] = [];
  for (let i = 0; i < starts; i++) {
    const startedAt = performance.now();
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: testServerPath } },
    });
    durationsMs.push(performance.now() - startedAt);
    await env.teardown();
  }

  durationsMs.sort((a, b) => a - b);
  const median = durationsMs[Math.floor(durationsMs.length / 2)] ?? NaN;
  const format = (ms: number | undefined) => `${Math.round(ms ?? NaN)} ms`;
  console.log(
    `${starts} starts, all succeeded: min ${format(durationsMs[0])}, median ${format(median)}, ` +
      `max ${format(durationsMs.at(-1))}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
