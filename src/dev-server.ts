/**
 * Starts the Temporal CLI's dev server (`temporal server start-dev`) as a child process. The SDK can do this too,
 * but gives the server only 5 s to come up, which a loaded two-core machine does not always manage; here the wait
 * is configurable and readiness means the frontend answered, not only that the port accepted a connection.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import path from 'node:path';
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
}

export interface DevServer {
  /** `127.0.0.1:PORT`, for `Connection.connect({ address })`. */
  address: string;
  namespace: string;
  /** `http://127.0.0.1:PORT` when the UI is on. */
  uiUrl?: string;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts a dev server bound to 127.0.0.1 and resolves once its frontend answers. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const namespace = options.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace];
  args.push('--log-level', 'error');
  if (options.uiPort === undefined || options.uiPort === false) {
    args.push('--headless');
  } else {
    args.push('--ui-ip', '127.0.0.1', '--ui-port', String(options.uiPort));
  }
  if (options.dbFilename !== undefined) args.push('--db-filename', options.dbFilename);
  for (const attribute of options.searchAttributes ?? []) args.push('--search-attribute', attribute);

  const child = spawn(options.cliPath ?? DEFAULT_TEMPORAL_CLI_PATH, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderrTail = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2_000);
  });
  const exited = once(child, 'exit');

  async function stop(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killTimer);
  }

  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilReady(address, namespace, options.startTimeoutMs ?? 60_000, () => child.exitCode !== null);
  } catch (err) {
    await stop();
    const detail = stderrTail.trim() ? `; its last output: ${stderrTail.trim()}` : '';
    throw new Error(`the Temporal dev server did not start: ${(err as Error).message}${detail}`);
  }
  const uiUrl = typeof options.uiPort === 'number' ? `http://127.0.0.1:${options.uiPort}` : undefined;
  return { address, namespace, uiUrl, stop };
}

async function waitUntilReady(address: string, namespace: string, timeoutMs: number, exited: () => boolean) {
  const giveUpAt = Date.now() + timeoutMs;
  const [host, port] = address.split(':') as [string, string];
  while (!(await accepts(host, Number(port)))) {
    if (exited()) throw new Error('it exited');
    if (Date.now() > giveUpAt) throw new Error(`nothing accepted connections on ${address} within ${timeoutMs} ms`);
    await delay(100);
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
    await delay(200);
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
