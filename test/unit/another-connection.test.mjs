// Defect 19 (issue 11): a receiving request that reaches sockjs-go (or Spring) before the previous
// one was released is answered c[2010,"Another connection still open"]; the session lives on.
// The receivers ask again after a short, growing delay, a few times, and never pass that frame on.
import assert from 'node:assert/strict';
import { anotherConnectionRetryDelay } from '../../dist/esm/transports/http/another-connection.js';
import { jsonpReceiver } from '../../dist/esm/transports/http/jsonp-receiver.js';
import { xhrPollingReceiver, xhrStreamingReceiver } from '../../dist/esm/transports/http/receivers.js';
import { fakeEnv, fakeJsonpDocument, flush } from './fakes.mjs';

const REFUSAL = 'c[2010,"Another connection still open"]';
const DELAYS = [10, 20, 40, 80, 160, 320];
const OPTIONS = { headers: {}, withCredentials: false, maxFrameLength: 1e6 };

describe('anotherConnectionRetryDelay', () => {
  it('grows 10, 20 … 320 ms over six refusals in a row, then gives up (0)', () => {
    assert.deepEqual(DELAYS.map((_, refusals) => anotherConnectionRetryDelay(REFUSAL, refusals)), DELAYS);
    assert.equal(anotherConnectionRetryDelay(REFUSAL, DELAYS.length), 0);
  });

  it('is 0 for every other frame, close frames included', () => {
    for (const raw of ['o', 'h', 'a["c[2010,"]', 'c[3000,"Go away!"]', 'c[20100,"x"]', 'c[1002,"2010"]']) {
      assert.equal(anotherConnectionRetryDelay(raw, 0), 0, raw);
    }
  });
});

/** A receiver started on a fake env whose fetch requests the test answers one by one. */
function startReceiver(start) {
  const env = fakeEnv();
  const frames = [];
  const failures = [];
  const receiver = start({ env, sessionUrl: 'http://h/echo/000/s', options: OPTIONS, frame: (raw) => frames.push(raw), fail: (info) => failures.push(info) });
  const requests = env.infoRequests; // every fetch lands here
  return {
    env,
    frames,
    failures,
    receiver,
    requests,
    /** Answers the oldest waiting request with a 200 carrying `body`. */
    async answer(body) {
      await flush();
      const request = requests.shift();
      if (!request) throw new Error('no request is waiting');
      request.resolve(new Response(body, { status: 200 }));
      await flush();
    },
  };
}

describe('xhr-polling receiver and 2010', () => {
  it('polls again after a short delay instead of passing the refusal on; the session goes on', async () => {
    const r = startReceiver(xhrPollingReceiver);
    await r.answer('o\n');
    await r.answer(`${REFUSAL}\n`);
    assert.deepEqual(r.frames, ['o']);
    assert.deepEqual(r.failures, []);
    assert.equal(r.requests.length, 0, 'not at once: the server has not let the previous poll go');
    r.env.tick(DELAYS[0] - 1);
    assert.equal(r.requests.length, 0);
    r.env.tick(1);
    await r.answer('a["x"]\n');
    assert.deepEqual(r.frames, ['o', 'a["x"]']);
    assert.equal(r.requests.length, 1, 'and polls on');
    assert.deepEqual(r.failures, []);
  });

  it('waits longer after each refusal in a row, and passes the seventh on (the session then closes with 2010)', async () => {
    const r = startReceiver(xhrPollingReceiver);
    await r.answer('o\n');
    for (const delay of DELAYS) {
      await r.answer(`${REFUSAL}\n`);
      r.env.tick(delay - 1);
      await flush();
      assert.equal(r.requests.length, 0, `not before ${delay} ms`);
      r.env.tick(1);
    }
    await r.answer(`${REFUSAL}\n`);
    assert.deepEqual(r.frames, ['o', REFUSAL]);
  });

  it('counts only refusals in a row: a poll that carried a frame starts again from the shortest delay', async () => {
    const r = startReceiver(xhrPollingReceiver);
    await r.answer('o\n');
    for (let round = 0; round < 10; round++) {
      await r.answer(`${REFUSAL}\n`);
      r.env.tick(DELAYS[0]);
      await r.answer(`a["m${round}"]\n`);
    }
    assert.equal(r.frames.length, 11);
    assert.ok(!r.frames.includes(REFUSAL));
    assert.deepEqual(r.failures, []);
  });

  it('polls no more when stopped while waiting to poll again', async () => {
    const r = startReceiver(xhrPollingReceiver);
    await r.answer('o\n');
    await r.answer(`${REFUSAL}\n`);
    r.receiver.stop();
    assert.equal(r.env.pending(), 0, 'no timer left');
    r.env.tick(1000);
    await flush();
    assert.equal(r.requests.length, 0);
    assert.deepEqual(r.failures, []);
  });
});

describe('xhr-streaming receiver and 2010', () => {
  it('reopens the stream after a delay when the reopen at the response limit is refused', async () => {
    const r = startReceiver(xhrStreamingReceiver);
    const prelude = 'h'.repeat(2048) + '\n';
    await r.answer(`${prelude}o\na["x"]\n`);
    await r.answer(`${prelude}${REFUSAL}\n`);
    assert.equal(r.requests.length, 0);
    r.env.tick(DELAYS[0]);
    await r.answer(`${prelude}a["y"]\n`);
    assert.deepEqual(r.frames, ['o', 'a["x"]', 'a["y"]']);
    assert.deepEqual(r.failures, []);
  });
});

describe('jsonp-polling receiver and 2010', () => {
  function startJsonp() {
    const env = fakeEnv();
    const document = fakeJsonpDocument(env.globalObject);
    env.document = document;
    const frames = [];
    const failures = [];
    const receiver = jsonpReceiver({ env, sessionUrl: 'http://h/echo/000/s', options: OPTIONS, frame: (raw) => frames.push(raw), fail: (info) => failures.push(info) });
    return { env, document, frames, failures, receiver };
  }

  it('polls again after a short delay instead of passing the refusal on; the session goes on', async () => {
    const r = startJsonp();
    await r.document.load('o');
    await r.document.load(REFUSAL);
    assert.deepEqual(r.frames, ['o']);
    assert.equal(r.document.scripts.length, 0, 'not at once');
    r.env.tick(DELAYS[0]);
    await r.document.load('a["x"]');
    assert.deepEqual(r.frames, ['o', 'a["x"]']);
    assert.equal(r.document.scripts.length, 1, 'and polls on');
    assert.deepEqual(r.failures, []);
  });

  it('passes the seventh refusal in a row on', async () => {
    const r = startJsonp();
    await r.document.load('o');
    for (const delay of DELAYS) {
      await r.document.load(REFUSAL);
      r.env.tick(delay);
    }
    await r.document.load(REFUSAL);
    assert.deepEqual(r.frames, ['o', REFUSAL]);
  });

  it('polls no more when stopped while waiting to poll again', async () => {
    const r = startJsonp();
    await r.document.load('o');
    await r.document.load(REFUSAL);
    r.receiver.stop();
    r.env.tick(1000);
    await flush();
    assert.equal(r.document.scripts.length, 0);
    assert.equal(r.env.pending(), 0, 'no timer left');
  });
});
