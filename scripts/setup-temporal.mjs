#!/usr/bin/env node
/**
 * Leaves the two Temporal servers the tests and `npm start` use at fixed, git-ignored paths:
 *
 *   .temporal/bin/temporal-test-server   the time-skipping test server, run by the SDK as `<path> <port>`
 *   .temporal/bin/temporal               the Temporal CLI; `temporal server start-dev` is the dev server with the UI
 *
 * Each is resolved in this order: the TEMPORAL_TEST_SERVER_PATH / TEMPORAL_CLI_PATH environment variable; a file
 * already in place; a build from the package registries (Maven Central for the test server, the Go module proxy
 * for the CLI) when `mvn` / `go` are installed; otherwise the SDK's own download, which needs internet access.
 * Idempotent: a second run reuses what the first left. `--force` rebuilds both.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer, connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEST_SERVER_ARTIFACT = 'io.temporal:temporal-test-server:1.38.0';
const CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, '.temporal', 'bin');
const testServerDir = join(root, '.temporal', 'test-server');
const downloadDir = join(root, '.temporal', 'download');
const testServerPath = join(binDir, 'temporal-test-server');
const cliPath = join(binDir, 'temporal');
const force = process.argv.includes('--force');

const testServerPom = join(root, 'scripts', 'temporal-test-server', 'pom.xml');

/**
 * Written into the wrapper so that a later run can tell its own wrapper from a user's file, and rebuild it when the
 * pom (the version, the classpath) has changed since.
 */
const pomDigest = digest(testServerPom);
const wrapperMarker = `# temporal-pinecone-import: ${TEST_SERVER_ARTIFACT} from Maven Central, pom ${pomDigest}`;

class SetupError extends Error {}

async function main() {
  mkdirSync(binDir, { recursive: true });
  await step('test server', setUpTestServer);
  await step('temporal CLI', setUpCli);
}

/** Runs one resolution and prints which source it used and how long it took. */
async function step(name, resolveSource) {
  const startedAt = performance.now();
  const source = await resolveSource();
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.log(`setup:temporal ${name}: ${source} (${seconds} s)`);
}

async function setUpTestServer() {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    linkExecutable(fromEnv, testServerPath, 'TEMPORAL_TEST_SERVER_PATH');
    return `TEMPORAL_TEST_SERVER_PATH -> ${fromEnv}`;
  }
  if (!force && testServerInPlace()) {
    return `already in place at ${relative(testServerPath)}`;
  }
  if (onPath('mvn') && onPath('java')) {
    await buildTestServerFromMaven();
    return `built from Maven Central (${TEST_SERVER_ARTIFACT}) at ${relative(testServerPath)}`;
  }
  await downloadWithSdk('createTimeSkipping', 'temporal-test-server', testServerPath);
  return `downloaded by the Temporal SDK to ${relative(testServerPath)}`;
}

async function setUpCli() {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    linkExecutable(fromEnv, cliPath, 'TEMPORAL_CLI_PATH');
    return `TEMPORAL_CLI_PATH -> ${fromEnv}`;
  }
  if (!force && isExecutable(cliPath)) {
    return `already in place at ${relative(cliPath)}`;
  }
  if (onPath('go')) {
    rmSync(cliPath, { force: true });
    run('go', ['install', CLI_MODULE], { env: { ...process.env, GOBIN: binDir, CGO_ENABLED: '0' } });
    return `built from the Go module proxy (${CLI_MODULE}) at ${relative(cliPath)}`;
  }
  await downloadWithSdk('createLocal', 'temporal', cliPath);
  return `downloaded by the Temporal SDK to ${relative(cliPath)}`;
}

/**
 * A file in place is kept, unless it is a wrapper this script wrote for another version or whose jars have gone
 * (a cleared Maven cache).
 */
function testServerInPlace() {
  if (!isExecutable(testServerPath)) return false;
  const script = readFileSync(testServerPath, 'utf8');
  if (!script.includes('# temporal-pinecone-import:')) return true;
  if (!script.includes(wrapperMarker)) return false;
  const classpathFile = join(testServerDir, 'classpath.txt');
  return existsSync(classpathFile) && readFileSync(classpathFile, 'utf8').trim().split(':').every(existsSync);
}

async function buildTestServerFromMaven() {
  rmSync(testServerDir, { recursive: true, force: true });
  mkdirSync(testServerDir, { recursive: true });
  const classpathFile = join(testServerDir, 'classpath.txt');
  run('mvn', [
    '-B',
    '-q',
    '-f',
    testServerPom,
    'dependency:build-classpath',
    '-Dmdep.includeScope=runtime',
    `-Dmdep.outputFile=${classpathFile}`,
  ]);
  rmSync(testServerPath, { force: true });
  writeFileSync(testServerPath, wrapperScript(which('java')));
  chmodSync(testServerPath, 0o755);
  await createClassDataArchive();
}

/**
 * The SDK gives the server 5 s to accept connections and kills it with SIGKILL, then waits for its output pipes to
 * close. So the wrapper `exec`s java (no shell left holding the pipes) and starts it lean: C1 only, the serial
 * collector, and the class-data archive made at setup, which together bring a cold start from ~2.5 s to ~0.8 s on
 * two cores.
 */
function wrapperScript(java) {
  return `#!/bin/sh
${wrapperMarker}
# Generated by scripts/setup-temporal.mjs; usage: temporal-test-server <port>
dir=$(CDPATH= cd -- "$(dirname -- "$0")/../test-server" && pwd)
cds=
if [ -f "$dir/classes.jsa" ] && [ -z "$TEMPORAL_TEST_SERVER_NO_ARCHIVE" ]; then
  cds="-XX:SharedArchiveFile=$dir/classes.jsa"
fi
exec "${java}" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto $cds $TEMPORAL_TEST_SERVER_JAVA_OPTS \\
  -cp "$(cat "$dir/classpath.txt")" io.temporal.testserver.TestServer "$@"
`;
}

/**
 * Starts the server once with -XX:ArchiveClassesAtExit, waits until it accepts connections, then stops it with
 * SIGTERM so the JVM writes the archive of every class loaded during start-up. A missing archive only costs speed.
 */
async function createClassDataArchive() {
  const archive = join(testServerDir, 'classes.jsa');
  const port = await freePort();
  const child = spawn(testServerPath, [String(port)], {
    stdio: 'ignore',
    env: {
      ...process.env,
      TEMPORAL_TEST_SERVER_NO_ARCHIVE: '1',
      TEMPORAL_TEST_SERVER_JAVA_OPTS: `-XX:ArchiveClassesAtExit=${archive} -Xlog:cds=off -Xlog:cds+dynamic=off`,
    },
  });
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  try {
    await waitForPort(port, 60_000);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  if (!existsSync(archive)) {
    console.warn('setup:temporal test server: no class-data archive was written; start-up will be slower');
  }
}

/**
 * Lets the SDK download its own server into .temporal/download (the normal behaviour on a machine with internet
 * access), then links the executable it fetched to the fixed path.
 */
async function downloadWithSdk(factory, executablePrefix, destination) {
  let testing;
  try {
    testing = await import('@temporalio/testing');
  } catch {
    throw new SetupError(`cannot download ${executablePrefix}: @temporalio/testing is not installed (run npm ci)`);
  }
  mkdirSync(downloadDir, { recursive: true });
  let env;
  try {
    env = await testing.TestWorkflowEnvironment[factory]({
      server: { executable: { type: 'cached-download', downloadDir } },
    });
  } catch (err) {
    throw new SetupError(
      `no mvn/go on PATH and the Temporal SDK could not download ${executablePrefix}: ${firstLine(err)}. ` +
        `Install Java 17 with Maven and Go, or set TEMPORAL_TEST_SERVER_PATH / TEMPORAL_CLI_PATH.`,
    );
  }
  await env.teardown();
  const downloaded = findFile(downloadDir, (name) => name.startsWith(executablePrefix));
  if (!downloaded) throw new SetupError(`the SDK reported success but left no ${executablePrefix} in ${downloadDir}`);
  linkExecutable(downloaded, destination, 'the SDK download');
}

function linkExecutable(target, linkPath, origin) {
  const absolute = resolve(target);
  if (!isExecutable(absolute)) throw new SetupError(`${origin} names ${absolute}, which is not an executable file`);
  rmSync(linkPath, { force: true });
  symlinkSync(absolute, linkPath);
}

function findFile(dir, matches) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(path, matches);
      if (found) return found;
    } else if (matches(entry.name) && isExecutable(path)) {
      return path;
    }
  }
  return undefined;
}

/** Runs a build tool quietly; its output is shown only when it fails. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    throw new SetupError(`\`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`);
  }
}

function which(command) {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  return dirs.map((dir) => join(dir, command)).find(isExecutable);
}

function onPath(command) {
  return which(command) !== undefined;
}

function isExecutable(path) {
  try {
    if (lstatSync(path).isDirectory()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await accepts(port)) return;
    await new Promise((wake) => setTimeout(wake, 100));
  }
  throw new SetupError(`the test server did not accept connections on port ${port} within ${timeoutMs} ms`);
}

function accepts(port) {
  return new Promise((resolveAccepts) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveAccepts(true);
    });
    socket.once('error', () => resolveAccepts(false));
  });
}

function digest(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);
}

function relative(path) {
  return path.startsWith(root) ? path.slice(root.length + 1) : path;
}

function firstLine(err) {
  return String(err instanceof Error ? err.message : err).split('\n')[0];
}

main().catch((err) => {
  console.error(`setup:temporal failed: ${err instanceof SetupError ? err.message : (err?.stack ?? err)}`);
  process.exit(1);
});
