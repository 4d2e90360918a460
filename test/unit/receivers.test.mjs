// Hostile or broken bodies on the receiving side of the HTTP transports: each must end the session
// with a precise code, or be read whole; never a message dropped unseen, never a request storm.
import assert from 'node:assert/strict';
import { Session } from '../../dist/esm/session/session.js';
import { jsonpReceiver } from '../../dist/esm/transports/http/jsonp-receiver.js';
import { eventSource, xhrPolling, xhrStreaming } from '../../dist/esm/transports/http-transports.js';
import { fakeEnv, fakeJsonpDocument, flush } from './fakes.mjs';

const OPTIONS = { headers: {}, withCredentials: false, maxFrameLength: 1e6 };

/** A session over `descriptor`; `answer(body)` answers its oldest waiting request with a 200. */
function openSession(descriptor) {
  const env = fakeEnv();
  const session = new Session(descriptor.create('http://h/echo/000/s', env, OPTIONS), env);
  const messages = [];
  const closes = [];
  session.on('messages', (m) => messages.push(...m));
  session.on('close', (info) => closes.push(info));
  return {
    env,
    messages,
    closes,
    async answer(body) {
      await flush();
      const request = env.infoRequests.shift();
      assert.ok(request, 'a request waits');
      request.resolve(new Response(body, { status: 200 }));
      await flush();
    },
  };
}


/** A jsonp-polling receiver on a fake page: the page, and the frames and failures it reported. */
function startJsonp() {
  const env = fakeEnv();
  const document = (env.document = fakeJsonpDocument(env.globalObject));
  const frames = [];
  const failures = [];
  jsonpReceiver({ env, sessionUrl: 'http://h/echo/000/s', options: OPTIONS, frame: (raw) => frames.push(raw), fail: (info) => failures.push(info) });
  return { env, document, frames, failures };
}

describe('receivers: the end of a body', () => {
  it('xhr-polling: a poll body whose last frame lacks its newline still hands that frame on', async () => {
    const s = openSession(xhrPolling);
    await s.answer('o\n');
    await s.answer('a["x"]\na["y"]');
    assert.deepEqual(s.messages, ['x', 'y']);
    assert.deepEqual(s.closes, []);
  });

  it('xhr-streaming: a stream that ends cleanly inside a frame closes with 1002, instead of reopening without that frame', async () => {
    const s = openSession(xhrStreaming);
    await s.answer('h'.repeat(2048) + '\no\na["x"]\na["y');
    assert.deepEqual(s.messages, ['x']);
    assert.deepEqual(s.closes.map((c) => c.code), [1002]);
    assert.equal(s.env.infoRequests.length, 0, 'no stream reopened');
  });

  it('eventsource: a stream that ends inside an event closes with 1002, instead of reopening without that event', async () => {
    const s = openSession(eventSource);
    await s.answer('\r\ndata: o\r\n\r\ndata: a["x"]\r\n\r\ndata: a["y');
    assert.deepEqual(s.messages, ['x']);
    assert.deepEqual(s.closes.map((c) => c.code), [1002]);
    assert.equal(s.env.infoRequests.length, 0, 'no stream reopened');
  });
});

describe('jsonp-polling receiver: an answer with no frame', () => {
  it('closes with 1002 on a script that loads without calling back (HTML, a syntax error), as xhr-polling on that body', async () => {
    const env = fakeEnv();
    const document = (env.document = fakeJsonpDocument(env.globalObject));
    const failures = [];
    jsonpReceiver({ env, sessionUrl: 'http://h/echo/000/s', options: OPTIONS, frame: () => undefined, fail: (info) => failures.push(info) });
    await flush();
    document.scripts.shift().onload();
    assert.deepEqual(failures.map((f) => [f.code, f.reason]), [[1002, 'GET /jsonp: no callback']]);
  });

  for (const payload of ['', '\n']) {
    it(`closes with 1002 on a callback of ${JSON.stringify(payload)} instead of polling again at once, for ever`, async () => {
      const { document, frames, failures } = startJsonp();
      await document.load('o');
      await document.load(payload);
      assert.deepEqual(frames, ['o']);
      assert.deepEqual(failures.map((f) => f.code), [1002]);
      assert.equal(document.scripts.length, 0, 'no poll after it');
    });
  }
});

describe('jsonp-polling receiver: a script that calls back twice', () => {
  it('hands on the frames of both calls, instead of throwing from the second (a TypeError in the script) and losing its frame', async () => {
    const { env, document, frames, failures } = startJsonp();
    await document.load('o');
    await flush();
    const script = document.scripts.shift();
    const [name, id] = new URL(script.src).searchParams.get('c').split('.');
    env.globalObject[name][id]('a["x"]');
    env.globalObject[name][id]('a["y"]');
    script.onload();
    await flush();
    assert.deepEqual(frames, ['o', 'a["x"]', 'a["y"]']);
    assert.deepEqual(failures, []);
    assert.equal(document.scripts.length, 1, 'the next poll waits');
    assert.equal(Object.keys(env.globalObject[name]).length, 1, "only the next poll's callback is registered");
  });
});
