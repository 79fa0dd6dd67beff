import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { startPineconeEmulator, type PineconeEmulator } from '../../src/testing';
import { call } from './http';

interface RawOutcome {
  status?: number;
  text?: string;
  errorCode?: string;
}

/** A request over node:http that reports a connection error by its code instead of throwing. */
function raw(emulator: PineconeEmulator, method: string, path: string, body?: string): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const req = request(`${emulator.url}${path}`, { method, headers: { 'content-type': 'application/json' } });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ errorCode: err.code ?? err.message }));
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ errorCode: err.code ?? err.message }));
    });
    req.end(body);
  });
}

const START_BODY = { uri: 's3://bucket/dir' };

describe('emulator: fault injection', () => {
  let emulator: PineconeEmulator;

  before(async () => {
    emulator = await startPineconeEmulator();
  });

  beforeEach(() => {
    emulator.reset();
  });

  after(async () => {
    await emulator.close();
  });

  describe('status, body and headers', () => {
    it('answers the status with an rpcStatus body by default, without handling the request', async () => {
      emulator.fail({ method: 'POST', status: 503 });
      const reply = await call(emulator, 'POST', '/bulk/imports', { body: START_BODY });

      assert.equal(reply.status, 503);
      assert.deepEqual(reply.body, { code: 14, message: 'injected fault: status 503', details: [] });
      assert.deepEqual(emulator.imports(), []);
    });

    it('sends a JSON body and extra headers as given', async () => {
      emulator.fail({ status: 429, body: { code: 8, message: 'slow down' }, headers: { 'Retry-After': '7' } });
      const reply = await call(emulator, 'GET', '/bulk/imports');

      assert.equal(reply.status, 429);
      assert.deepEqual(reply.body, { code: 8, message: 'slow down' });
      assert.equal(reply.headers.get('retry-after'), '7');
      assert.equal(reply.headers.get('content-type'), 'application/json');
    });

    it('sends a string body as-is, as text/plain unless the rule says otherwise', async () => {
      emulator.fail({ status: 502, body: '<html>bad gateway</html>' });
      emulator.fail({ status: 502, body: '<html>bad gateway</html>', headers: { 'Content-Type': 'text/html' } });
      const plain = await call(emulator, 'GET', '/bulk/imports');
      const html = await call(emulator, 'GET', '/bulk/imports');

      assert.deepEqual(
        [plain.status, plain.text, plain.headers.get('content-type')],
        [502, '<html>bad gateway</html>', 'text/plain'],
      );
      assert.equal(html.headers.get('content-type'), 'text/html');
    });

    it('keeps a request id header the rule sets', async () => {
      emulator.fail({ status: 500, headers: { 'X-Request-Id': 'req-abc' } });
      const reply = await call(emulator, 'GET', '/bulk/imports');
      assert.equal(reply.headers.get('x-request-id'), 'req-abc');
    });

    it('answers {} for a success status given without a body', async () => {
      emulator.fail({ method: 'DELETE', status: 200 });
      const reply = await call(emulator, 'DELETE', '/bulk/imports/unknown');
      assert.deepEqual([reply.status, reply.body], [200, {}]);
    });
  });

  describe('matching', () => {
    it('applies once by default, then the emulator answers normally', async () => {
      emulator.fail({ status: 500 });
      const statuses = [(await call(emulator, 'GET', '/bulk/imports')).status];
      statuses.push((await call(emulator, 'GET', '/bulk/imports')).status);
      assert.deepEqual(statuses, [500, 200]);
    });

    it('applies to as many requests as times says', async () => {
      emulator.fail({ status: 500, times: 2 });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await call(emulator, 'GET', '/bulk/imports')).status);
      assert.deepEqual(statuses, [500, 500, 200]);
    });

    it('applies forever with times: Infinity, until clearFaults', async () => {
      emulator.fail({ status: 500, times: Infinity });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await call(emulator, 'GET', '/bulk/imports')).status);
      emulator.clearFaults();
      statuses.push((await call(emulator, 'GET', '/bulk/imports')).status);
      assert.deepEqual(statuses, [500, 500, 500, 500, 500, 200]);
    });

    it('matches the method, case-insensitively', async () => {
      emulator.fail({ method: 'delete', status: 500 });
      const get = await call(emulator, 'GET', '/bulk/imports');
      const del = await call(emulator, 'DELETE', '/bulk/imports/1');
      assert.deepEqual([get.status, del.status], [200, 500]);
    });

    it('matches a string path exactly, ignoring the query string', async () => {
      emulator.fail({ path: '/bulk/imports', status: 500, times: Infinity });
      const listed = await call(emulator, 'GET', '/bulk/imports?limit=1');
      const described = await call(emulator, 'GET', '/bulk/imports/1');
      assert.deepEqual([listed.status, described.status], [500, 404]);
    });

    it('matches a RegExp path against the encoded path, also with the g flag', async () => {
      emulator.fail({ path: /^\/bulk\/imports\/a%2Fb$/g, status: 500, times: 2 });
      const statuses: number[] = [];
      for (let i = 0; i < 2; i += 1) statuses.push((await call(emulator, 'GET', '/bulk/imports/a%2Fb')).status);
      assert.deepEqual(statuses, [500, 500]);
    });

    it('uses the first matching rule, one rule per request', async () => {
      emulator.fail({ method: 'GET', status: 503 });
      emulator.fail({ status: 500 });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await call(emulator, 'GET', '/bulk/imports')).status);
      assert.deepEqual(statuses, [503, 500, 200]);
    });

    for (const times of [0, -1, 1.5, Number.NaN]) {
      it(`rejects a rule with times ${times}`, () => {
        assert.throws(() => emulator.fail({ status: 500, times }), RangeError);
      });
    }

    describe('with an Api-Key configured', () => {
      let guarded: PineconeEmulator;

      before(async () => {
        guarded = await startPineconeEmulator({ apiKey: 'k' });
      });

      after(async () => {
        await guarded.close();
      });

      it('applies before the Api-Key check', async () => {
        guarded.fail({ status: 503 });
        const reply = await call(guarded, 'GET', '/bulk/imports');
        assert.equal(reply.status, 503);
      });
    });
  });

  describe('delay', () => {
    it('alone, delays the normal response, which still takes effect', async () => {
      emulator.fail({ method: 'POST', delayMs: 200 });
      const startedMs = Date.now();
      const reply = await call(emulator, 'POST', '/bulk/imports', { body: START_BODY });

      assert.ok(Date.now() - startedMs >= 190, 'answered before the delay');
      assert.deepEqual([reply.status, reply.body], [200, { id: '1' }]);
      assert.equal(emulator.imports().length, 1);
    });

    it('with a status, delays the injected response', async () => {
      emulator.fail({ delayMs: 150, status: 504 });
      const startedMs = Date.now();
      const reply = await call(emulator, 'GET', '/bulk/imports');

      assert.ok(Date.now() - startedMs >= 140, 'answered before the delay');
      assert.equal(reply.status, 504);
    });

    it('drops the response when the client gives up during the delay, doing nothing', async () => {
      emulator.fail({ method: 'POST', delayMs: 5_000 });
      const aborted = await fetch(`${emulator.url}/bulk/imports`, {
        method: 'POST',
        body: JSON.stringify(START_BODY),
        signal: AbortSignal.timeout(100),
      }).then(
        () => 'answered',
        (err: Error) => err.name,
      );

      assert.equal(aborted, 'TimeoutError');
      assert.deepEqual(emulator.imports(), []);
      assert.equal((await call(emulator, 'GET', '/bulk/imports')).status, 200);
    });

    describe('on close', () => {
      let slow: PineconeEmulator;

      before(async () => {
        slow = await startPineconeEmulator();
      });

      after(async () => {
        await slow.close();
      });

      it('does not hold up close() while a response is delayed', async () => {
        slow.fail({ delayMs: 60_000 });
        const pending = raw(slow, 'GET', '/bulk/imports');
        await waitFor(() => slow.requests().length === 1);

        const startedMs = Date.now();
        await slow.close();
        assert.ok(Date.now() - startedMs < 1_000, 'close waited for the delayed response');
        assert.ok((await pending).errorCode !== undefined);
      });
    });
  });

  describe('reset', () => {
    it('destroys the connection without a response and without handling', async () => {
      emulator.fail({ method: 'POST', reset: true });
      const outcome = await raw(emulator, 'POST', '/bulk/imports', JSON.stringify(START_BODY));

      assert.equal(outcome.errorCode, 'ECONNRESET');
      assert.deepEqual(emulator.imports(), []);
    });

    it('after a delay, still resets', async () => {
      emulator.fail({ reset: true, delayMs: 50 });
      const outcome = await raw(emulator, 'GET', '/bulk/imports');
      assert.equal(outcome.errorCode, 'ECONNRESET');
    });

    it('with afterEffect, creates the import and then resets', async () => {
      emulator.fail({ method: 'POST', reset: true, afterEffect: true });
      const outcome = await raw(emulator, 'POST', '/bulk/imports', JSON.stringify(START_BODY));

      assert.equal(outcome.errorCode, 'ECONNRESET');
      assert.deepEqual(
        emulator.imports().map((model) => model.uri),
        [START_BODY.uri],
      );
    });

    it('leaves the emulator serving other connections', async () => {
      emulator.fail({ reset: true });
      await raw(emulator, 'GET', '/bulk/imports');
      assert.equal((await call(emulator, 'GET', '/bulk/imports')).status, 200);
    });
  });

  describe('malformed', () => {
    it('answers 200 with a JSON content type and a body that does not parse', async () => {
      emulator.fail({ malformed: true });
      const reply = await call(emulator, 'GET', '/bulk/imports');

      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-type'), 'application/json');
      assert.throws(() => JSON.parse(reply.text) as unknown, SyntaxError);
    });

    it('does not perform the operation unless afterEffect is set', async () => {
      emulator.fail({ method: 'POST', malformed: true });
      await call(emulator, 'POST', '/bulk/imports', { body: START_BODY });
      assert.deepEqual(emulator.imports(), []);
    });

    it('with afterEffect, performs the operation and answers the malformed body', async () => {
      emulator.fail({ method: 'POST', malformed: true, afterEffect: true });
      const reply = await call(emulator, 'POST', '/bulk/imports', { body: START_BODY });

      assert.equal(reply.status, 200);
      assert.equal(reply.body, undefined);
      assert.equal(emulator.imports().length, 1);
    });
  });

  describe('afterEffect: the lost response', () => {
    it('creates the import for real, then answers 500 with an rpcStatus body', async () => {
      emulator.fail({ method: 'POST', afterEffect: true });
      const reply = await call(emulator, 'POST', '/bulk/imports', { body: START_BODY });

      assert.equal(reply.status, 500);
      assert.deepEqual(reply.body, { code: 13, message: 'injected fault: status 500', details: [] });
      const held = emulator.imports();
      assert.deepEqual(
        held.map(({ id, uri, status }) => ({ id, uri, status })),
        [{ id: '1', uri: START_BODY.uri, status: 'Pending' }],
      );
      const described = await call(emulator, 'GET', '/bulk/imports/1');
      assert.equal(described.status, 200);
    });

    it('answers the rule status, body and headers instead of the real response', async () => {
      emulator.fail({ method: 'POST', afterEffect: true, status: 503, body: 'upstream gone', headers: { 'x-a': 'b' } });
      const reply = await call(emulator, 'POST', '/bulk/imports', { body: START_BODY });

      assert.deepEqual([reply.status, reply.text, reply.headers.get('x-a')], [503, 'upstream gone', 'b']);
      assert.equal(emulator.imports().length, 1);
    });

    it('cancels for real on DELETE, then answers 500', async () => {
      emulator.addImport({ id: '9', status: 'InProgress' });
      emulator.fail({ method: 'DELETE', afterEffect: true });
      const reply = await call(emulator, 'DELETE', '/bulk/imports/9');

      assert.equal(reply.status, 500);
      assert.equal(emulator.imports()[0]?.status, 'Cancelled');
    });

    it('creates nothing when the request itself is invalid', async () => {
      emulator.fail({ method: 'POST', afterEffect: true });
      const reply = await call(emulator, 'POST', '/bulk/imports', { body: { uri: '' } });

      assert.equal(reply.status, 500);
      assert.deepEqual(emulator.imports(), []);
    });
  });

  it('records faulted requests like any other', async () => {
    emulator.fail({ reset: true });
    emulator.fail({ status: 500 });
    await raw(emulator, 'GET', '/bulk/imports?limit=1');
    await call(emulator, 'DELETE', '/bulk/imports/1');

    assert.deepEqual(
      emulator.requests().map(({ method, path }) => `${method} ${path}`),
      ['GET /bulk/imports?limit=1', 'DELETE /bulk/imports/1'],
    );
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
