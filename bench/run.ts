/**
 * Runs the benchmark set (`npm run bench`) or the reliability set (`npm run soak`), or named pieces of either:
 *
 *   npm run bench                          every performance piece, with the counts BENCHMARKS.md records
 *   npm run bench -- cancel-latency        one piece (several may be named)
 *   npm run soak -- fault-soak --quick     smaller counts, for trying a change; not for recorded results
 *
 * Everything listens on 127.0.0.1 and every server, worker and child process started is stopped at the end, also
 * when a piece fails. A piece that fails is reported and the next one still runs; the exit code is then 1.
 */
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { installRuntime, runCleanups, temporalCliPath, withTimeout } from './support/env';
import { badInputRuns } from './bad-input';
import { cancelCall } from './cancel-call';
import { cancelLatency } from './cancel-latency';
import { faultSoak } from './fault-soak';
import { historyEvents } from './history-events';
import { manyWorkflows } from './many-workflows';
import { sigkillSoak } from './sigkill';
import { testSuite } from './test-suite';

export interface BenchOptions {
  /** Smaller counts for a quick try; recorded results never use it. */
  quick: boolean;
}

interface Piece {
  name: string;
  set: 'bench' | 'soak';
  /** Wall-clock bound for the whole piece. */
  limitMs: number;
  run: (options: BenchOptions) => Promise<void>;
}

const MINUTE_MS = 60_000;

const PIECES: Piece[] = [
  { name: 'history-events', set: 'bench', limitMs: 10 * MINUTE_MS, run: historyEvents },
  { name: 'cancel-latency', set: 'bench', limitMs: 6 * MINUTE_MS, run: cancelLatency },
  { name: 'cancel-call', set: 'bench', limitMs: 4 * MINUTE_MS, run: cancelCall },
  { name: 'many-workflows', set: 'bench', limitMs: 10 * MINUTE_MS, run: manyWorkflows },
  { name: 'test-suite', set: 'bench', limitMs: 15 * MINUTE_MS, run: testSuite },
  { name: 'fault-soak', set: 'soak', limitMs: 12 * MINUTE_MS, run: faultSoak },
  { name: 'sigkill', set: 'soak', limitMs: 12 * MINUTE_MS, run: sigkillSoak },
  { name: 'bad-input', set: 'soak', limitMs: 6 * MINUTE_MS, run: badInputRuns },
];

function describeMachine(): string {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  // `java -version` writes to stderr.
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const javaVersion = java.error ? 'not installed' : (java.stderr || java.stdout).split('\n')[0]?.trim();
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  const cli = spawnSync(temporalCliPath, ['--version'], { encoding: 'utf8' });
  return [
    `date ${new Date().toISOString()}`,
    `cpu ${cpu ?? 'unknown'} x ${os.cpus().length}`,
    `memory ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `node ${process.version}`,
    `java ${javaVersion ?? 'unknown'}`,
    `go ${go.error ? 'not installed' : go.stdout.trim()}`,
    `temporal CLI ${cli.error ? 'missing' : cli.stdout.trim()}`,
    `load average ${load}`,
  ].join('; ');
}

async function main(): Promise<number> {
  const [set, ...rest] = process.argv.slice(2);
  if (set !== 'bench' && set !== 'soak') {
    console.error('usage: ts-node bench/run.ts bench|soak [piece ...] [--quick]');
    return 2;
  }
  const options: BenchOptions = { quick: rest.includes('--quick') };
  const names = rest.filter((arg) => !arg.startsWith('--'));
  const unknown = names.filter((name) => !PIECES.some((piece) => piece.name === name));
  if (unknown.length > 0) {
    console.error(`unknown piece(s): ${unknown.join(', ')}; known: ${PIECES.map((piece) => piece.name).join(', ')}`);
    return 2;
  }
  const selected = PIECES.filter((piece) => (names.length > 0 ? names.includes(piece.name) : piece.set === set));

  installRuntime();
  console.log(`# ${set}${options.quick ? ' (--quick)' : ''}: ${selected.map((piece) => piece.name).join(', ')}`);
  console.log(describeMachine());
  let failed = 0;
  for (const piece of selected) {
    const startedAt = Date.now();
    console.log(`\n## ${piece.name}`);
    try {
      await withTimeout(piece.run(options), piece.limitMs, piece.name);
      console.log(`${piece.name}: done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    } catch (err) {
      failed += 1;
      console.error(`${piece.name}: FAILED after ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${String(err)}`);
      if (err instanceof Error && err.stack) console.error(err.stack);
    }
    await runCleanups();
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    console.error(err);
    await runCleanups();
    process.exit(1);
  },
);
