// Node 20 as a platform: no XMLHttpRequest, no EventSource, no document, no global WebSocket,
// but fetch with streaming bodies. The built dist/esm must connect to sockjs-node over the HTTP
// transports on fetch alone (resock reads eventsource's text/event-stream with fetch too), and over websocket once a WebSocket class is there (the `ws` package
// assigned to globalThis.WebSocket, as Node 22 has one built in).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket as WsWebSocket } from 'ws';
import { Resock, SockJS } from '../../dist/esm/index.js';
import { withDeadline } from '../support/deadline.mjs';
import { startSockjsServer } from '../support/sockjs-server.mjs';

const MESSAGES = ['hello from Node', 'Unicode: Καλημέρα 你好 😀', '\u0000\u2028 "quoted" \\ a["x"]'];

/** Opens a SockJS on `transport`, sends once open, resolves with what came back and the close. */
function echoWithSockJS(url, transport, messages = MESSAGES) {
  return withDeadline(
    new Promise((resolve) => {
      const socket = new SockJS(url, null, { transports: transport });
      const received = [];
      let opened = null;
      socket.onopen = () => {
        opened = socket.transport;
        for (const message of messages) socket.send(message);
      };
      socket.onmessage = (event) => {
        received.push(event.data);
        if (received.length === messages.length) socket.close();
      };
      socket.onclose = (event) => resolve({ opened, received, code: event.code, wasClean: event.wasClean });
    }),
    { what: `an echo over ${transport}` },
  );
}

/** Resolves once the server has no request or WebSocket left open; fails after about 10 s. */
async function serverIdle(server) {
  // No event tells when the server saw a socket close: look again, a bounded number of times.
  for (let i = 0; i < 1000 && server.pendingRequests().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(server.pendingRequests(), [], 'requests still open on the server');
}

describe(`resock in Node ${process.version}`, function () {
  let server;
  before(async function () {
    assert.equal(typeof globalThis.XMLHttpRequest, 'undefined');
    assert.equal(typeof globalThis.fetch, 'function');
    server = await startSockjsServer();
  });
  after(async () => {
    await server?.close();
  });

  for (const transport of ['xhr-streaming', 'eventsource', 'xhr-polling']) {
    it(`SockJS over ${transport} on Node's fetch: opens, echoes, closes, and leaves no request open`, async function () {
      const result = await echoWithSockJS(server.url('/echo'), transport);
      assert.deepEqual(result, { opened: transport, received: MESSAGES, code: 1000, wasClean: true });
      await serverIdle(server);
    });
  }

  it('Resock over the HTTP transports: queues before open, echoes, closes', async function () {
    const client = new Resock(server.url('/echo'), { transports: ['xhr-streaming', 'xhr-polling'] });
    for (const message of MESSAGES) client.send(message);
    const received = [];
    client.addEventListener('message', (event) => received.push(event.data));
    await withDeadline(once(client, 'open'), { what: 'open' });
    assert.equal(client.transport, 'xhr-streaming');
    await withDeadline(
      new Promise((resolve) => client.addEventListener('message', () => received.length === MESSAGES.length && resolve())),
      { what: 'the echoes' },
    );
    assert.deepEqual(received, MESSAGES);
    client.close();
    const [closed] = await withDeadline(once(client, 'close'), { what: 'close' });
    assert.equal(closed.code, 1000);
    assert.equal(client.state, 'closed');
    await serverIdle(server);
  });

  it('with no WebSocket and no document: websocket and jsonp-polling close at once with 2000', async function () {
    assert.equal(typeof globalThis.WebSocket, 'undefined', 'this Node has a global WebSocket: the case does not apply');
    for (const transport of ['websocket', 'jsonp-polling']) {
      const result = await echoWithSockJS(server.url('/echo'), transport);
      assert.deepEqual(result, { opened: null, received: [], code: 2000, wasClean: false }, transport);
    }
  });

  it('without a transports option: picks an HTTP transport that Node has', async function () {
    const result = await echoWithSockJS(server.url('/echo'), undefined);
    assert.ok(['xhr-streaming', 'xhr-polling'].includes(result.opened), `opened on ${result.opened}`);
    assert.deepEqual(result.received, MESSAGES);
  });

  it('a relative URL is a SyntaxError: there is no page to resolve it against', function () {
    assert.throws(() => new SockJS('/echo'), { name: 'SyntaxError' });
    assert.throws(() => new Resock('echo'), { name: 'SyntaxError' });
  });

  // The issue asks for websocket "wherever a global WebSocket exists or one is passed in an
  // option". The option's name proposed here: `WebSocket`, as reconnecting-websocket names it.
  it('websocket with a WebSocket class passed in the WebSocket option, no global needed', async function () {
    assert.equal(typeof globalThis.WebSocket, 'undefined');
    const result = await withDeadline(
      new Promise((resolve, reject) => {
        let socket;
        try {
          socket = new SockJS(server.url('/echo'), null, { transports: 'websocket', WebSocket: WsWebSocket });
        } catch (error) {
          reject(error);
          return;
        }
        const received = [];
        socket.onopen = () => socket.send(MESSAGES[0]);
        socket.onmessage = (event) => {
          received.push(event.data);
          socket.close();
        };
        socket.onclose = (event) => resolve({ opened: received.length > 0 ? 'websocket' : null, received, code: event.code });
      }),
      { what: 'an echo over websocket' },
    );
    assert.deepEqual(result, { opened: 'websocket', received: [MESSAGES[0]], code: 1000 });
    await serverIdle(server);
  });

  describe('with a global WebSocket (the ws package)', function () {
    let previous;
    before(() => {
      previous = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
      globalThis.WebSocket = WsWebSocket;
    });
    after(() => {
      if (previous) Object.defineProperty(globalThis, 'WebSocket', previous);
      else delete globalThis.WebSocket;
    });

    it('SockJS over websocket: opens, echoes, closes', async function () {
      const result = await echoWithSockJS(server.url('/echo'), 'websocket');
      assert.deepEqual(result, { opened: 'websocket', received: MESSAGES, code: 1000, wasClean: true });
      await serverIdle(server);
    });

    it('without a transports option: opens on websocket', async function () {
      const result = await echoWithSockJS(server.url('/echo'), undefined);
      assert.equal(result.opened, 'websocket');
      assert.deepEqual(result.received, MESSAGES);
    });
  });
});

describe('Node: a WebSocket closed while it connects', () => {
  it('closing a ws socket still in its handshake does not throw out of the process', async function () {
    // A server that accepts the connection and never answers the upgrade: the socket stays CONNECTING.
    const { createServer } = await import('node:net');
    const sockets = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const errors = [];
    const onUncaught = (error) => errors.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const client = new Resock(`http://127.0.0.1:${silent.address().port}/echo`, { transports: 'websocket', WebSocket: WsWebSocket });
      await withDeadline(once(silent, 'connection'), { what: 'the handshake to start' });
      client.close();
      await withDeadline(once(client, 'close'), { what: 'close' });
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(errors.map(String), []);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
