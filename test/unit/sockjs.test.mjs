// The SockJS drop-in against what sockjs-client 1.6.1 does (node_modules/sockjs-client/lib/main.js),
// over fake transports. SockJS reads the platform itself: `/info` goes to a fake global fetch.
import assert from 'node:assert/strict';
import { SockJS } from '../../dist/esm/facade/sockjs.js';
import { fakeDescriptors, flush } from './fakes.mjs';

/** A SockJS over one fake transport; `link()` answers /info and opens it. */
function socket(options = {}) {
  const infos = [];
  globalThis.fetch = (url, init) =>
    new Promise((resolve, reject) => {
      infos.push(resolve);
      init?.signal?.addEventListener('abort', () => reject(new Error('aborted')));
    });
  const created = [];
  const s = new SockJS('http://h/echo', null, { transports: fakeDescriptors(['xhr-streaming'], created), ...options });
  const link = async () => {
    await flush();
    infos.shift()(new Response('{"websocket":false}'));
    await flush();
    const transport = created.at(-1);
    assert.ok(transport, 'no transport was started');
    transport.frame('o');
    return transport;
  };
  const closed = new Promise((resolve) => s.addEventListener('close', resolve));
  return { s, link, closed };
}

describe('SockJS', () => {
  const realFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it('closes with 1002 naming the option when a headers function returns a Promise, rather than requesting without its headers', async () => {
    const { closed } = socket({ headers: async () => ({ Authorization: 'Bearer t' }) });
    const event = await closed;
    assert.equal(event.code, 1002);
    assert.match(event.reason, /Option 'headers' must be .*not a Promise/);
  });

  it('calls onheartbeat for an h frame, as sockjs-client (Meteor sets it), with this the socket', async () => {
    const { s, link } = socket();
    const calls = [];
    s.onheartbeat = function (event) {
      calls.push([this === s, event.type]);
    };
    const t = await link();
    t.frame('h');
    assert.deepEqual(calls, [[true, 'heartbeat']]);
    s.close();
  });

  it('is CLOSING as soon as a c frame ends the session while a POST is heard out: send() ignores data, close() keeps the server\'s code', async () => {
    const { s, link, closed } = socket();
    const t = await link();
    // An HTTP transport with a POST in flight: the session waits for its answer (Transport.settle).
    let settled;
    t.settle = () => new Promise((resolve) => (settled = resolve));
    t.frame('c[3000,"Go away!"]');
    assert.equal(s.readyState, SockJS.CLOSING);
    s.send('late'); // as sockjs-client: not OPEN, not CONNECTING: ignored, no throw
    assert.deepEqual(t.sent, []);
    s.close(4000, 'mine'); // CLOSING already: nothing to do (sockjs-client, WebSocket)
    settled([]);
    const event = await closed;
    assert.deepEqual([event.code, event.reason, event.wasClean, s.readyState], [3000, 'Go away!', true, SockJS.CLOSED]);
  });

  it('refuses a close reason over 123 bytes of UTF-8 as WebSocket counts them, a lone surrogate as U+FFFD (3 bytes)', () => {
    const { s } = socket();
    const reason = '\ud800中'.repeat(21); // 126 bytes: each lone surrogate 3, each 中 3
    assert.throws(() => s.close(1000, reason), SyntaxError);
    assert.equal(s.readyState, SockJS.CONNECTING);
    s.close(1000, '\ud800中'.repeat(20) + 'abc'); // 123 bytes
    assert.equal(s.readyState, SockJS.CLOSING);
  });

  it("has no transport once a c frame made it CLOSING, as sockjs-client (which lets go of the transport at once)", async () => {
    const { s, link, closed } = socket();
    const t = await link();
    assert.equal(s.transport, 'xhr-streaming');
    let settled;
    t.settle = () => new Promise((resolve) => (settled = resolve));
    t.frame('c[3000,"Go away!"]');
    assert.equal(s.readyState, SockJS.CLOSING);
    assert.equal(s.transport, null);
    settled([]);
    const event = await closed;
    assert.deepEqual([event.code, s.transport], [3000, null]);
  });

  it('takes a close reason that is not a string as WebSocket and sockjs-client do: checked by its text, no internal TypeError', async () => {
    const { s, closed } = socket();
    assert.throws(() => s.close(3000, { toString: () => 'x'.repeat(124) }), SyntaxError);
    s.close(3000, ['done']);
    const event = await closed;
    assert.deepEqual([event.code, String(event.reason)], [3000, 'done']);
  });

  it('connects, and closes, with a debug logger that throws', async () => {
    const { s, link, closed } = socket({
      debug: () => {
        throw new Error('logger');
      },
    });
    const opened = [];
    s.onopen = (event) => opened.push(event.type);
    await link();
    assert.deepEqual(opened, ['open']);
    assert.equal(s.readyState, SockJS.OPEN);
    s.close(3000, 'done');
    const event = await closed;
    assert.deepEqual([event.code, event.reason, s.readyState], [3000, 'done', SockJS.CLOSED]);
  });
});
