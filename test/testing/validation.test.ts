import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';
import { call } from './http';
import { isStartImportRequest } from './spec';

const SCHEMES = ['s3://', 'gs://', 'https://'];

/** Strings around the spec's length bounds, with astral characters so that code points and UTF-16 units differ. */
function boundedText(prefix: string, bound: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: 20 }).map((rest) => `${prefix}${rest}`),
    fc.integer({ min: bound - 3, max: bound + 3 }).map((n) => `${prefix}${'x'.repeat(Math.max(0, n - prefix.length))}`),
    fc.integer({ min: bound - 2, max: bound + 2 }).map((n) => `${prefix}${'\u{1F600}'.repeat(n - prefix.length)}`),
  );
}

const uri = fc.oneof(
  fc.constantFrom(...SCHEMES, 'http://', 'file://', 'S3://', '').chain((scheme) => boundedText(scheme, 1500)),
  fc.constant(''),
  fc.integer(),
  fc.constant(undefined),
);

const integrationId = fc.oneof(fc.constant(undefined), boundedText('', 1000), fc.integer());

const errorMode = fc.oneof(
  fc.constant(undefined),
  fc.record({ onError: fc.constantFrom('abort', 'continue', 'Abort', 'Continue', 'skip', '') }),
  fc.constant({}),
  fc.constant({ on_error: 'abort' }),
  fc.constantFrom('abort', 1, []),
);

const extraField = fc.oneof(fc.constant(undefined), fc.constantFrom('error_mode', 'integration_id', 'namespace'));

const body = fc.record({ uri, integrationId, errorMode, extraField }).map((parts) => {
  const value: Record<string, unknown> = {};
  if (parts.uri !== undefined) value.uri = parts.uri;
  if (parts.integrationId !== undefined) value.integrationId = parts.integrationId;
  if (parts.errorMode !== undefined) value.errorMode = parts.errorMode;
  if (parts.extraField !== undefined) value[parts.extraField] = 'x';
  return value;
});

/** The spec's schema, plus the rule the spec states only in prose: the uri names a supported storage scheme. */
function pineconeAccepts(value: Record<string, unknown>): boolean {
  return isStartImportRequest(value) && SCHEMES.some((scheme) => String(value.uri).startsWith(scheme));
}

describe('emulator: start-import validation matches the specification', () => {
  let emulator: PineconeEmulator;

  before(async () => {
    emulator = await startPineconeEmulator();
  });

  after(async () => {
    await emulator.close();
  });

  it('accepts exactly the bodies the StartImportRequest schema and the scheme rule allow', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        emulator.reset();
        const reply = await call(emulator, 'POST', '/bulk/imports', { body: value });
        const expected = pineconeAccepts(value) ? 200 : 400;

        assert.equal(reply.status, expected, reply.text);
        seen.add(reply.status);
        assert.equal(emulator.imports().length, expected === 200 ? 1 : 0);
      }),
      { numRuns: 300 },
    );
    assert.deepEqual([...seen].sort(), [200, 400], 'the generated bodies did not exercise both outcomes');
  });

  it('counts the id length in code points: 1000 astral characters pass, 1001 do not', async () => {
    const at = await call(emulator, 'GET', `/bulk/imports/${encodeURIComponent('\u{1F600}'.repeat(1000))}`);
    const over = await call(emulator, 'GET', `/bulk/imports/${encodeURIComponent('\u{1F600}'.repeat(1001))}`);
    assert.deepEqual([at.status, over.status], [404, 400]);
  });
});
