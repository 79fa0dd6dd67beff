/**
 * Validates emulator responses against the published 2025-04 specification (test/fixtures/pinecone), with its
 * OpenAPI 3.0 schemas converted for Ajv. Objects are closed (no properties beyond the declared ones), which is
 * stricter than the spec and catches misspelt or snake_case fields.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SPEC_PATH = join(__dirname, '..', 'fixtures', 'pinecone', 'db_data_2025-04.oas.yaml');

interface Spec {
  paths: Record<string, Record<string, { responses: Record<string, JsonObject> }>>;
  components: { schemas: Record<string, JsonObject> };
}

const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;

const COMPONENTS_PREFIX = '#/components/schemas/';

/** Ajv's strict mode knows `$defs`, not OpenAPI's `components`. */
function toDefsRef(ref: string): string {
  return ref.startsWith(COMPONENTS_PREFIX) ? `#/$defs/${ref.slice(COMPONENTS_PREFIX.length)}` : ref;
}

/**
 * OpenAPI 3.0 keywords Ajv does not know: `example` dropped, `nullable` folded into `type`, refs moved to `$defs`;
 * objects closed.
 */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'nullable') continue;
    if (key === '$ref' && typeof value === 'string') {
      out[key] = toDefsRef(value);
      continue;
    }
    out[key] = key === 'properties' ? mapValues(value as JsonObject) : toJsonSchema(value);
  }
  if (node.nullable === true && typeof node.type === 'string') out.type = [node.type, 'null'];
  if (node.type === 'object' && node.properties !== undefined) out.additionalProperties = false;
  return out;
}

function mapValues(properties: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, toJsonSchema(schema)]));
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function createAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  ajv.addFormat('date-time', (value: string) => ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
  ajv.addFormat('int32', { type: 'number', validate: (value: number) => value >= -(2 ** 31) && value < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isSafeInteger(value) });
  ajv.addFormat('float', { type: 'number', validate: (value: number) => Number.isFinite(value) });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  const schemas = mapValues(spec.components.schemas);
  ajv.addSchema({ $id: 'pinecone', $defs: schemas });
  return ajv;
}

const ajv = createAjv();
const validators = new Map<string, ValidateFunction>();

/** The schema the spec declares for `status` of `method pathTemplate`, falling back to its 4XX/5XX entries. */
function responseRef(pathTemplate: string, method: string, status: number): string {
  const operation = spec.paths[pathTemplate]?.[method.toLowerCase()];
  if (operation === undefined) throw new Error(`spec has no ${method} ${pathTemplate}`);
  const response = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`];
  if (response === undefined) throw new Error(`spec declares no ${status} for ${method} ${pathTemplate}`);
  const content = response.content as JsonObject;
  const schema = (content['application/json'] as JsonObject).schema as JsonObject;
  return toDefsRef(schema.$ref as string);
}

/** Asserts that `body` is what the spec allows for that operation and status; throws listing every violation. */
export function assertMatchesSpec(pathTemplate: string, method: string, status: number, body: unknown): void {
  const ref = responseRef(pathTemplate, method, status);
  let validate = validators.get(ref);
  if (validate === undefined) {
    validate = ajv.getSchema(`pinecone${ref}`);
    if (validate === undefined) throw new Error(`no schema ${ref}`);
    validators.set(ref, validate);
  }
  if (!validate(body)) {
    throw new Error(`${method} ${pathTemplate} ${status} violates ${ref}: ${ajv.errorsText(validate.errors)}`);
  }
}

/** Validates a request body against StartImportRequest, to check what the official client sends. */
export function assertStartImportRequest(body: unknown): void {
  assertSchema('#/$defs/StartImportRequest', body);
}

/** Whether `body` is a StartImportRequest the spec allows (with objects closed, as everywhere here). */
export function isStartImportRequest(body: unknown): boolean {
  return schemaValidator('#/$defs/StartImportRequest')(body);
}

function assertSchema(ref: string, value: unknown): void {
  const validate = schemaValidator(ref);
  if (!validate(value)) throw new Error(`violates ${ref}: ${ajv.errorsText(validate.errors)}`);
}

function schemaValidator(ref: string): ValidateFunction {
  const validate = ajv.getSchema(`pinecone${ref}`);
  if (validate === undefined) throw new Error(`no schema ${ref}`);
  return validate;
}
