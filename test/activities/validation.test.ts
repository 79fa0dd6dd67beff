import assert from 'node:assert/strict';
import fc from 'fast-check';
import { INVALID_IMPORT_INPUT } from '../../src/failures';
import { createImportActivities } from '../../src/activities';
import type { PineconeEmulator } from '../../src/testing';
import { useEmulator } from '../helpers/emulator';
import { parseIndexHost } from '../../src/validation';
import { API_KEY, assertFailure, rejectionOf, runActivity } from './helpers';

/** Asserts `call` fails with InvalidImportInput naming `field` and that the emulator saw no request. */
async function assertInvalid(emulator: PineconeEmulator, field: string, call: () => Promise<unknown>): Promise<void> {
  const before = emulator.requests().length;
  const failure = assertFailure(await rejectionOf(call()), { type: INVALID_IMPORT_INPUT, nonRetryable: true });
  assert.match(failure.message, new RegExp(`^Invalid ${field}: `));
  assert.deepEqual(failure.details, [{ field }]);
  assert.equal(emulator.requests().length, before, 'an invalid input must not reach the server');
}

const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.object(), fc.array(fc.string()));
const tooLong = (max: number) => fc.string({ minLength: max + 1, maxLength: max + 50 });
const loneSurrogate = fc.constantFrom('\uD800', 'a\uDC00b', 'x\uDBFF');

describe('validation', () => {
  let emulator: PineconeEmulator;
  const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });
  let indexHost: string;

  useEmulator({ apiKey: API_KEY }, (started) => {
    emulator = started;
    indexHost = started.url;
  });

  it('rejects a missing or non-object input', async () => {
    for (const input of [undefined, null, 'x', [indexHost]]) {
      await assertInvalid(emulator, 'input', () => runActivity(activities.describeImport, input as never));
    }
  });

  it('rejects every id that is not 1 to 1000 well-formed characters', async () => {
    const invalidId = fc.oneof(fc.constant(''), tooLong(1000), notAString, loneSurrogate);
    await fc.assert(
      fc.asyncProperty(
        invalidId,
        fc.constantFrom('describeImport', 'cancelImport') as fc.Arbitrary<'describeImport'>,
        async (id, name) => {
          await assertInvalid(emulator, 'id', () => runActivity(activities[name], { indexHost, id } as never));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('accepts ids of exactly 1 and 1000 characters', async () => {
    for (const id of ['x', 'x'.repeat(1000)]) {
      const err = await rejectionOf(runActivity(activities.describeImport, { indexHost, id }));
      assert.equal((err as { type?: string }).type, 'PineconeNotFound');
    }
  });

  it('counts characters as code points, as JSON Schema does', async () => {
    const before = emulator.requests().length;
    const err = await rejectionOf(runActivity(activities.describeImport, { indexHost, id: '🦀'.repeat(1000) }));
    assert.notEqual((err as { type?: string }).type, INVALID_IMPORT_INPUT);
    assert.equal(emulator.requests().length, before + 1);
  });

  it('rejects every uri without an s3://, gs:// or https:// location, or longer than 1500', async () => {
    const wrongScheme = fc.string({ maxLength: 40 }).filter((s) => !/^(s3|gs|https):\/\/./.test(s));
    const invalidUri = fc.oneof(
      wrongScheme,
      fc.constantFrom('s3://', 'gs://', 'https://', 'S3://bucket', 'http://bucket/dir', 'file:///etc', 's3:/b'),
      tooLong(1500).map((s) => `s3://${s}`),
      fc.constant('s3://bucket/\nx'),
      notAString,
    );
    await fc.assert(
      fc.asyncProperty(invalidUri, async (uri) => {
        await assertInvalid(emulator, 'uri', () => runActivity(activities.startImport, { indexHost, uri } as never));
      }),
      { numRuns: 80 },
    );
  });

  it('rejects every integrationId that is empty, longer than 1000 or not a string', async () => {
    const invalid = fc.oneof(fc.constant(''), tooLong(1000), fc.integer(), fc.object(), loneSurrogate);
    await fc.assert(
      fc.asyncProperty(invalid, async (integrationId) => {
        await assertInvalid(emulator, 'integrationId', () =>
          runActivity(activities.startImport, { indexHost, uri: 's3://b/d', integrationId } as never),
        );
      }),
      { numRuns: 40 },
    );
  });

  it("rejects every errorMode other than 'abort' and 'continue'", async () => {
    const invalid = fc.oneof(
      fc.string().filter((s) => s !== 'abort' && s !== 'continue'),
      fc.constantFrom('ABORT', 'Continue', ' abort'),
      fc.record({ onError: fc.constant('abort') }),
      fc.integer(),
    );
    await fc.assert(
      fc.asyncProperty(invalid, async (errorMode) => {
        await assertInvalid(emulator, 'errorMode', () =>
          runActivity(activities.startImport, { indexHost, uri: 's3://b/d', errorMode } as never),
        );
      }),
      { numRuns: 40 },
    );
  });

  it('rejects every limit that is not an integer from 1 to 100', async () => {
    const invalid = fc.oneof(
      fc.integer({ max: 0 }),
      fc.integer({ min: 101 }),
      fc.double().filter((n) => !Number.isInteger(n)),
      fc.constantFrom(Number.NaN, Infinity, '10', 1.5),
    );
    await fc.assert(
      fc.asyncProperty(invalid, async (limit) => {
        await assertInvalid(emulator, 'limit', () =>
          runActivity(activities.listImports, { indexHost, limit } as never),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('rejects every paginationToken that is empty, over 4096 characters or not a string', async () => {
    const invalid = fc.oneof(fc.constant(''), tooLong(4096), fc.integer(), fc.object(), loneSurrogate);
    await fc.assert(
      fc.asyncProperty(invalid, async (paginationToken) => {
        await assertInvalid(emulator, 'paginationToken', () =>
          runActivity(activities.listImports, { indexHost, paginationToken } as never),
        );
      }),
      { numRuns: 40 },
    );
  });

  it('rejects every indexHost with credentials, a path, a query, a fragment or another scheme', async () => {
    const port = new URL(indexHost).port;
    const invalid = fc.oneof(
      fc.constantFrom(
        '',
        `${indexHost}/bulk`,
        `${indexHost}?x=1`,
        `${indexHost}#frag`,
        `http://user:pw@127.0.0.1:${port}`,
        `http://user@127.0.0.1:${port}`,
        `ftp://127.0.0.1:${port}`,
        `//127.0.0.1:${port}`,
        `127.0.0.1:${port}/x`,
        `http://127.0.0.1:0`,
        `http://127.0.0.1:99999`,
        'http://',
        'http://-bad-.example',
        'exa mple.pinecone.io',
        'a..b.pinecone.io',
        `http://127.0.0.1:${port}\r\nX-Injected: 1`,
      ),
      fc
        .webPath({ size: 'small' })
        .filter((p) => p.length > 1)
        .map((p) => `${indexHost}${p}`),
      fc
        .webQueryParameters()
        .filter((q) => q.length > 0)
        .map((q) => `${indexHost}/?${q}`),
      tooLong(512),
      notAString,
    );
    await fc.assert(
      fc.asyncProperty(invalid, async (badHost) => {
        await assertInvalid(emulator, 'indexHost', () =>
          runActivity(activities.describeImport, { indexHost: badHost, id: '1' } as never),
        );
      }),
      { numRuns: 80 },
    );
  });

  it('parses a bare host as https and an origin as given, lower-casing the host and dropping default ports', () => {
    assert.deepEqual(
      [
        parseIndexHost('Idx-Abc123.svc.us-east1-aws.pinecone.io'),
        parseIndexHost('http://LOCALHOST:5081'),
        parseIndexHost('https://idx.svc.pinecone.io/'),
        parseIndexHost('http://[::1]:8080'),
        parseIndexHost('https://idx.svc.pinecone.io:443'),
        parseIndexHost('http://localhost:80'),
        parseIndexHost('idx.svc.pinecone.io:80'),
      ],
      [
        { scheme: 'https', hostname: 'idx-abc123.svc.us-east1-aws.pinecone.io', port: undefined },
        { scheme: 'http', hostname: 'localhost', port: 5081 },
        { scheme: 'https', hostname: 'idx.svc.pinecone.io', port: undefined },
        { scheme: 'http', hostname: '[::1]', port: 8080 },
        { scheme: 'https', hostname: 'idx.svc.pinecone.io', port: undefined },
        { scheme: 'http', hostname: 'localhost', port: undefined },
        { scheme: 'https', hostname: 'idx.svc.pinecone.io', port: 80 },
      ],
    );
  });

  it('accepts every valid start input', async () => {
    const valid = fc.record(
      {
        uri: fc
          .tuple(
            fc.constantFrom('s3://', 'gs://', 'https://'),
            fc.webSegment().filter((s) => s !== ''),
          )
          .map(([scheme, rest]) => `${scheme}${rest}`),
        integrationId: fc.string({ minLength: 1, maxLength: 20 }),
        errorMode: fc.constantFrom('abort' as const, 'continue' as const),
      },
      { requiredKeys: ['uri'] },
    );
    await fc.assert(
      fc.asyncProperty(valid, async (input) => {
        const { id } = await runActivity(activities.startImport, { indexHost, ...input });
        assert.ok(emulator.imports().some((model) => model.id === id && model.uri === input.uri));
      }),
      { numRuns: 30 },
    );
  });
});
