/**
 * The full test suite's wall time: `npm test` once (its `pretest` included), output kept in a temporary file and
 * only Mocha's summary printed. Bounded to 14 minutes; the child is killed if it runs longer.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { defer, repoRoot, tempDir } from './support/env';
import { printTable } from './support/report';
import type { BenchOptions } from './run';

const LIMIT_MS = 14 * 60_000;

export async function testSuite(_options: BenchOptions): Promise<void> {
  const logPath = path.join(tempDir('test-suite'), 'npm-test.log');
  const log = createWriteStream(logPath);
  const startedAt = Date.now();
  // Its own process group, so that a kill reaches mocha and the servers it started.
  const child = spawn('npm', ['test'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const killGroup = (): void => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGKILL');
    }
  };
  defer(killGroup);
  const timer = setTimeout(killGroup, LIMIT_MS);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  const wallMs = Date.now() - startedAt;
  await new Promise<void>((resolve) => log.end(resolve));

  const output = readFileSync(logPath, 'utf8');
  const count = (word: string): string => new RegExp(`(\\d+) ${word}`).exec(output)?.[1] ?? '0';
  const mochaTime = /\d+ passing \(([^)]+)\)/.exec(output)?.[1] ?? 'n/a';
  const failures = output.split('\n').filter((line) => /^\s+\d+\) /.test(line));
  printTable(
    'Full test suite (`npm test`, once)',
    ['wall time', "mocha's own time", 'passing', 'failing', 'pending', 'exit'],
    [
      [
        `${(wallMs / 1000).toFixed(1)} s`,
        mochaTime,
        count('passing'),
        count('failing'),
        count('pending'),
        signal ?? String(code),
      ],
    ],
  );
  // Mocha's report of each failure (title, assertion, stack) follows its summary line; the log file is removed.
  const report = output.slice(output.search(/^\s+\d+ failing/m));
  if (failures.length > 0) console.log(`failing tests:\n${report.split('\n').slice(0, 120).join('\n')}`);
}
