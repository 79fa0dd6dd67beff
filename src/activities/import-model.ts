/** Maps Pinecone's JSON (already camelCase in the 2025-04 data plane) to this package's shapes, dropping extras. */
import type { ImportModel, ListImportsResult } from '../types';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** An `ImportModel`, or undefined when `id` or `status` is missing: such a body is malformed. */
export function toImportModel(value: unknown): ImportModel | undefined {
  if (!isRecord(value) || !nonEmptyString(value.id) || !nonEmptyString(value.status)) return undefined;
  const model: ImportModel = { id: value.id, status: value.status };
  for (const key of ['uri', 'createdAt', 'finishedAt', 'error'] as const) {
    const field = value[key];
    if (typeof field === 'string') model[key] = field;
  }
  for (const key of ['percentComplete', 'recordsImported'] as const) {
    const field = value[key];
    if (typeof field === 'number' && Number.isFinite(field)) model[key] = field;
  }
  return model;
}

/** `{ data, pagination: { next } }` to `{ data, next? }`; a missing `data` is an empty page. */
export function toListImportsResult(value: unknown): ListImportsResult | undefined {
  if (!isRecord(value)) return undefined;
  const rawData = value.data ?? [];
  if (!Array.isArray(rawData)) return undefined;
  const data: ImportModel[] = [];
  for (const item of rawData) {
    const model = toImportModel(item);
    if (model === undefined) return undefined;
    data.push(model);
  }
  const next = isRecord(value.pagination) ? value.pagination.next : undefined;
  return nonEmptyString(next) ? { data, next } : { data };
}

/** `{ id }` of a started import. */
export function toStartImportResult(value: unknown): { id: string } | undefined {
  return isRecord(value) && nonEmptyString(value.id) ? { id: value.id } : undefined;
}
