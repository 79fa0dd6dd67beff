/**
 * Starts the Temporal CLI's dev server (`temporal server start-dev`) as a child process. The SDK can do this too,
 * but gives the server only 5 s to come up, which a loaded two-core machine does not always manage; here the wait
 * is configurable and readiness means the frontend answered, not only that the port accepted a connection.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';

/** Where `npm run setup:temporal` leaves the CLI. */
export const DEFAULT_TEMPORAL_CLI_PATH = path.resolve(__dirname, '..', '.temporal', 'bin', 'temporal');

export interface DevServerOptions {
  /** Default: `.temporal/bin/temporal` of this package. */
  cliPath?: string;
  /** gRPC port; default any free port. */
  port?: number;
  /** Web UI port; `false` (the default) runs headless. */
  uiPort?: number | false;
  /** SQLite file to persist to; default in memory. */
  dbFilename?: string;
  /** Namespace created at start; default `default`. */
  namespace?: string;
  /** `Name=Type` pairs, e.g. `PineconeImportId=Keyword`. */
  searchAttributes?: string[];
  /** How long to wait for the frontend; default 60 s. */
  startTimeoutMs?: number;
  /** Append the server's output to this file; default: only its last lines are kept, for error messages. */
  logFile?: string;
  /** The server's own `--log-level`; default `error`. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /**
   * Run the server in its own process group, so that Ctrl-C in a terminal reaches only this process, which can
   * then stop its workers before the server. The server is still killed when this process exits.
   */
  detached?: boolean;
}

export interface DevServer {
  /** `127.0.0.1:PORT`, for `Connection.connect({ address })`. */
  address: string;
  /** The server's process id. */
  pid: number;
  namespace: string;
  /** `http://127.0.0.1:PORT` when the UI is on. */
  uiUrl?: string;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** Calls `callback` with a description if the server exits before `stop()` was called. */
  onUnexpectedExit(callback: (description: string) => void): void;
}

/** Starts a dev server bound to 127.0.0.1 and resolves once its frontend answers. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const namespace = options.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace];
  args.push('--log-level', options.logLevel ?? 'error');
  if (options.uiPort === undefined || options.uiPort === false) {
    args.push('--headless');
  } else {
    args.push('--ui-ip', '127.0.0.1', '--ui-port', String(options.uiPort));
  }
  if (options.dbFilename !== undefined) args.push('--db-filename', options.dbFilename);
  for (const attribute of options.searchAttributes ?? []) args.push('--search-attribute', attribute);

  const cliPath = options.cliPath ?? DEFAULT_TEMPORAL_CLI_PATH;
  if (!existsSync(cliPath)) throw new Error(`no Temporal CLI at ${cliPath}: run \`npm run setup:temporal\` first`);
  // Checked first: the readiness wait below would otherwise take whatever answers on the port for this server.
  if (await accepts('127.0.0.1', port)) throw new Error(`127.0.0.1:${port} is already in use by another process`);
  const child = spawn(cliPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const log = options.logFile === undefined ? undefined : createWriteStream(options.logFile, { flags: 'a' });
  let outputTail = '';
  for (const output of [child.stdout, child.stderr]) {
    output.setEncoding('utf8').on('data', (chunk: string) => {
      log?.write(chunk);
      outputTail = (outputTail + chunk).slice(-2_000);
    });
  }
  // A detached server would outlive this process; nothing should.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping = false;
  let ended = false;
  const exited = new Promise<string>((resolve) => {
    const end = (description: string): void => {
      if (ended) return;
      ended = true;
      process.off('exit', killOnExit);
      log?.end();
      resolve(description);
    };
    child.once('exit', (code, signal) => end(`the Temporal dev server exited (${signal ?? `code ${code}`})`));
    child.once('error', (err) => end(`the Temporal dev server could not run: ${err.message}`));
  });

  async function stop(): Promise<void> {
    stopping = true;
    if (ended) return;
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killTimer);
  }

  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilReady(address, namespace, options.startTimeoutMs ?? 60_000, () => ended);
  } catch (err) {
    await stop();
    const where =
      options.logFile === undefined ? `; its last output: ${outputTail.trim()}` : `; see ${options.logFile}`;
    throw new Error(`the Temporal dev server did not start: ${(err as Error).message}${where}`);
  }
  return {
    address,
    pid: child.pid!,
    namespace,
    uiUrl: typeof options.uiPort === 'number' ? `http://127.0.0.1:${options.uiPort}` : undefined,
    stop,
    onUnexpectedExit(callback) {
      void exited.then((description) => {
        if (!stopping) callback(description);
      });
    },
  };
}

async function waitUntilReady(address: string, namespace: string, timeoutMs: number, exited: () => boolean) {
  const giveUpAt = Date.now() + timeoutMs;
  const [host, port] = address.split(':') as [string, string];
  while (!(await accepts(host, Number(port)))) {
    if (exited()) throw new Error('it exited');
    if (Date.now() > giveUpAt) throw new Error(`nothing accepted connections on ${address} within ${timeoutMs} ms`);
    await sleep(100);
  }
  for (;;) {
    const connection = await Connection.connect({ address, connectTimeout: '2 seconds' }).catch(() => undefined);
    try {
      if (
        await connection?.workflowService.describeNamespace({ namespace }).then(
          () => true,
          () => false,
        )
      )
        return;
    } finally {
      await connection?.close();
    }
    if (exited()) throw new Error('it exited');
    if (Date.now() > giveUpAt) throw new Error(`namespace ${namespace} was not served within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** True when something on `host:port` accepts a TCP connection. */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (another process may still take it before it is used). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
