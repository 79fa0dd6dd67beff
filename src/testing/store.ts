/**
 * The emulator's imports: creation, lookup, cancellation, pagination and the optional wall-clock schedule.
 */
import type { ImportModel } from '../types';

/**
 * A wall-clock schedule, measured from each import's creation: Pending until `startAfterMs`, then InProgress with a
 * rising `percentComplete`, then Completed at `completeAfterMs`. `recordsImported` stays 0: no data is read.
 */
export interface ProgressSchedule {
  completeAfterMs: number;
  /** Default 0: InProgress as soon as created. */
  startAfterMs?: number;
}

interface StoredImport {
  /** Creation order; pagination tokens point past one of these. */
  seq: number;
  createdAtMs: number;
  /** True until `setStatus` or a cancel takes the import out of the schedule's hands. */
  scheduled: boolean;
  model: ImportModel;
}

const FINISHED_STATUSES = new Set(['Completed', 'Failed', 'Cancelled']);

export function isFinished(status: string): boolean {
  return FINISHED_STATUSES.has(status);
}

export interface ImportPage {
  data: ImportModel[];
  /** Sequence number of the last import returned, when more imports follow it. */
  nextAfterSeq?: number;
}

export class ImportStore {
  private readonly byId = new Map<string, StoredImport>();
  private nextSeq = 1;

  constructor(
    private readonly clock: () => number,
    private readonly schedule?: ProgressSchedule,
  ) {}

  create(uri: string): ImportModel {
    const seq = this.takeSeq();
    const createdAtMs = this.clock();
    const model: ImportModel = {
      id: this.freshId(seq),
      uri,
      status: 'Pending',
      createdAt: new Date(createdAtMs).toISOString(),
      percentComplete: 0,
      recordsImported: 0,
    };
    const stored: StoredImport = { seq, createdAtMs, scheduled: this.schedule !== undefined, model };
    this.byId.set(model.id, stored);
    return this.view(stored);
  }

  /** Holds `model` exactly as given, outside any schedule; for ids and states a POST cannot produce. */
  add(model: ImportModel): ImportModel {
    if (this.byId.has(model.id)) {
      throw new Error(`emulator already holds an import with id ${JSON.stringify(model.id)}`);
    }
    const createdAtMs = model.createdAt === undefined ? this.clock() : Date.parse(model.createdAt);
    const stored: StoredImport = { seq: this.takeSeq(), createdAtMs, scheduled: false, model: { ...model } };
    this.byId.set(model.id, stored);
    return { ...stored.model };
  }

  get(id: string): ImportModel | undefined {
    const stored = this.byId.get(id);
    return stored === undefined ? undefined : this.view(stored);
  }

  all(): ImportModel[] {
    return [...this.byId.values()].map((stored) => this.view(stored));
  }

  /** Imports created after `afterSeq`, at most `limit` of them, in creation order. */
  page(limit: number, afterSeq: number): ImportPage {
    const following = [...this.byId.values()].filter((stored) => stored.seq > afterSeq);
    const taken = following.slice(0, limit);
    const page: ImportPage = { data: taken.map((stored) => this.view(stored)) };
    const last = taken[taken.length - 1];
    if (following.length > limit && last !== undefined) page.nextAfterSeq = last.seq;
    return page;
  }

  /** Pending or InProgress (or any unfinished status) becomes Cancelled; a finished import is left alone. */
  cancel(id: string): boolean {
    const stored = this.byId.get(id);
    if (stored === undefined) return false;
    this.advance(stored);
    if (!isFinished(stored.model.status)) {
      stored.scheduled = false;
      stored.model.status = 'Cancelled';
      stored.model.finishedAt = new Date(this.clock()).toISOString();
    }
    return true;
  }

  /**
   * Moves an import by hand. A finished status gets `finishedAt` if it had none (and Completed gets 100 percent);
   * an unfinished one loses `finishedAt`. Then the patch applies: fields set to `undefined` are removed, the id is
   * never patched.
   */
  setStatus(id: string, status: string, patch: Partial<ImportModel> = {}): void {
    const stored = this.byId.get(id);
    if (stored === undefined) throw new Error(`emulator holds no import with id ${JSON.stringify(id)}`);
    stored.scheduled = false;
    const model = stored.model;
    model.status = status;
    if (!isFinished(status)) {
      delete model.finishedAt;
    } else if (model.finishedAt === undefined) {
      model.finishedAt = new Date(this.clock()).toISOString();
    }
    if (status === 'Completed') model.percentComplete = 100;
    for (const [key, value] of Object.entries(patch) as [keyof ImportModel, unknown][]) {
      if (key === 'id') continue;
      if (value === undefined) {
        delete model[key];
      } else {
        (model as unknown as Record<string, unknown>)[key] = value;
      }
    }
  }

  /** Forgets every import; ids start again from 1, as on a fresh emulator. */
  clear(): void {
    this.byId.clear();
    this.nextSeq = 1;
  }

  private takeSeq(): number {
    const seq = this.nextSeq;
    this.nextSeq += 1;
    return seq;
  }

  /** Ids are decimal strings like Pinecone's; one taken by `add` is skipped. */
  private freshId(seq: number): string {
    let candidate = seq;
    while (this.byId.has(String(candidate))) candidate += 1;
    return String(candidate);
  }

  private view(stored: StoredImport): ImportModel {
    this.advance(stored);
    return { ...stored.model };
  }

  /** Applies the schedule, if any, for the current clock reading. */
  private advance(stored: StoredImport): void {
    if (!stored.scheduled || this.schedule === undefined) return;
    const { completeAfterMs } = this.schedule;
    const startAfterMs = Math.min(this.schedule.startAfterMs ?? 0, completeAfterMs);
    const elapsedMs = this.clock() - stored.createdAtMs;
    const model = stored.model;
    if (elapsedMs >= completeAfterMs) {
      stored.scheduled = false;
      model.status = 'Completed';
      model.percentComplete = 100;
      model.finishedAt = new Date(stored.createdAtMs + completeAfterMs).toISOString();
    } else if (elapsedMs >= startAfterMs) {
      model.status = 'InProgress';
      const fraction = (elapsedMs - startAfterMs) / (completeAfterMs - startAfterMs);
      model.percentComplete = Math.floor(fraction * 1000) / 10;
    }
  }
}
