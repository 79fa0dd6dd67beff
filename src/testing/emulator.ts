/**
 * A Pinecone data-plane emulator for bulk imports: a real HTTP server on 127.0.0.1 that speaks the 2025-04 API,
 * holds imports in memory, records every request and injects faults on demand.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ImportModel } from '../types';
import { FaultTable, type FaultRule } from './faults';
import { route, type ParsedRequest } from './routes';
import { ImportStore, type ProgressSchedule } from './store';
import { flattenHeaders, readBody, RpcCode, rpcError, writeResponse, type WireResponse } from './wire';

export interface EmulatorOptions {
  /** Default 0: any free port. The server always binds 127.0.0.1. */
  port?: number;
  /** When set, a request without a matching `Api-Key` header gets 401 with an rpcStatus body. */
  apiKey?: string;
  /** Milliseconds since the epoch, for `createdAt`, `finishedAt` and the schedule; default `Date.now`. */
  clock?: () => number;
  /** Off by default: imports then move only through `setStatus` and cancellation. */
  progress?: ProgressSchedule;
}

export interface RecordedRequest {
  method: string;
  /** As received: percent-encoded, with the query string. */
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** The request body as UTF-8 text; empty when none was sent or it was not fully received. */
  body: string;
}

export interface PineconeEmulator {
  /** `http://127.0.0.1:PORT`, usable as an `indexHost`. */
  url: string;
  /** Copies of every import held, in creation order. */
  imports(): ImportModel[];
  /** Holds an import exactly as given (any id, any status), outside the schedule; throws on a duplicate id. */
  addImport(model: ImportModel): ImportModel;
  /**
   * Moves an import by hand and takes it off the schedule; throws when the id is unknown. A finished status sets
   * `finishedAt` if unset (an unfinished one removes it), Completed sets `percentComplete` 100; then the patch
   * applies (`undefined` removes a field; the id is never patched).
   */
  setStatus(id: string, status: string, patch?: Partial<ImportModel>): void;
  /** Adds a fault rule for matching requests; rules apply in the order added. */
  fail(rule: FaultRule): void;
  /** Drops every fault rule not yet used up. */
  clearFaults(): void;
  /** Copies of every request received, in arrival order. */
  requests(): RecordedRequest[];
  /** Drops all imports, fault rules and recorded requests. */
  reset(): void;
  /** Stops the server, dropping open connections and pending delayed responses. */
  close(): Promise<void>;
}

/** Pinecone's gateway tags responses with a request id; a fault rule may set its own. */
const REQUEST_ID_HEADER = 'x-request-id';

/** Starts an emulator on 127.0.0.1 and resolves once it is listening. */
export async function startPineconeEmulator(options: EmulatorOptions = {}): Promise<PineconeEmulator> {
  if (options.progress !== undefined) checkSchedule(options.progress);
  const emulator = new Emulator(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}

function checkSchedule({ completeAfterMs, startAfterMs = 0 }: ProgressSchedule): void {
  if (!(Number.isFinite(completeAfterMs) && completeAfterMs >= 0)) {
    throw new RangeError(`progress.completeAfterMs must be a finite number >= 0, got ${completeAfterMs}`);
  }
  if (!(Number.isFinite(startAfterMs) && startAfterMs >= 0)) {
    throw new RangeError(`progress.startAfterMs must be a finite number >= 0, got ${startAfterMs}`);
  }
}

class Emulator implements PineconeEmulator {
  url = '';
  private readonly server: Server;
  private readonly store: ImportStore;
  private readonly faults = new FaultTable();
  private recorded: RecordedRequest[] = [];
  private readonly pendingDelays = new Set<() => void>();
  private requestCount = 0;

  constructor(private readonly options: EmulatorOptions) {
    this.store = new ImportStore(options.clock ?? Date.now, options.progress);
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((err: unknown) => this.serveFailed(req, res, err));
    });
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${address.port}`;
  }

  imports(): ImportModel[] {
    return this.store.all();
  }

  addImport(model: ImportModel): ImportModel {
    return this.store.add(model);
  }

  setStatus(id: string, status: string, patch?: Partial<ImportModel>): void {
    this.store.setStatus(id, status, patch);
  }

  fail(rule: FaultRule): void {
    this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  requests(): RecordedRequest[] {
    return this.recorded.map((request) => ({ ...request, headers: { ...request.headers } }));
  }

  reset(): void {
    this.store.clear();
    this.faults.clear();
    this.recorded = [];
  }

  async close(): Promise<void> {
    for (const cancel of [...this.pendingDelays]) cancel();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const record: RecordedRequest = { method, path: target, headers: flattenHeaders(req), body: '' };
    this.recorded.push(record);
    const body = await readBody(req);
    record.body = body;

    const queryStart = target.indexOf('?');
    const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
    const query = new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1));
    const plan = this.faults.take(method, rawPath);

    if (plan !== undefined && plan.delayMs > 0) {
      const completed = await this.delay(plan.delayMs, res);
      if (!completed) return;
    }
    const handled = plan === undefined || plan.handle ? this.handle(req, { method, rawPath, query, body }) : undefined;
    if (plan?.reset === true) {
      req.socket.resetAndDestroy();
      return;
    }

    const response = plan?.replacement ?? handled ?? rpcError(500, RpcCode.Internal, 'fault rule gave no response');
    this.requestCount += 1;
    const named = Object.keys(response.headers).some((name) => name.toLowerCase() === REQUEST_ID_HEADER);
    if (!named) response.headers[REQUEST_ID_HEADER] = `emulator-${this.requestCount}`;
    writeResponse(res, response);
  }

  /**
   * A request that could not be served. Either the client went away while its body was read (nobody is left to
   * answer) or the emulator has a bug, which a 500 naming the error makes visible instead of a silent reset.
   */
  private serveFailed(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    if (req.destroyed && !req.complete) {
      res.destroy();
      return;
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    writeResponse(res, rpcError(500, RpcCode.Internal, `emulator error: ${String(err)}`));
  }

  /** The real operation: its effect on the store happens here, whatever response is finally sent. */
  private handle(req: IncomingMessage, parsed: ParsedRequest): WireResponse {
    return this.authorize(req) ?? route(this.store, parsed);
  }

  private authorize(req: IncomingMessage): WireResponse | undefined {
    if (this.options.apiKey === undefined) return undefined;
    if (req.headers['api-key'] === this.options.apiKey) return undefined;
    return rpcError(401, RpcCode.Unauthenticated, 'missing or invalid Api-Key header');
  }

  /** Resolves true after `ms`, or false as soon as the client disconnects or the emulator closes. */
  private delay(ms: number, res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (completed: boolean): void => {
        clearTimeout(timer);
        res.off('close', onClose);
        this.pendingDelays.delete(cancel);
        resolve(completed);
      };
      const onClose = (): void => finish(false);
      const cancel = (): void => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      res.on('close', onClose);
      this.pendingDelays.add(cancel);
    });
  }
}
