// The client finds a working transport when the server, the platform or the network rules
// the better ones out, and reports a server it cannot reach with the right close code.
import assert from 'node:assert/strict';
import net from 'node:net';
import { openPage } from '../support/browser.mjs';
import { startProxy } from '../support/proxy.mjs';
import { startSockjsServer } from '../support/sockjs-server.mjs';

describe('transport fallback', function () {
  let server;
  let proxy;
  before(async () => {
    server = await startSockjsServer();
    proxy = await startProxy({ targetPort: server.port });
  });
  after(async () => {
    await proxy?.close();
    await server?.close();
  });
  afterEach(() => proxy.blackholeUpgrades(false));

  /** Opens a connection with every transport allowed; resolves once it is open and echoes. */
  async function connectAndEcho(url, pageOptions) {
    const page = await openPage(pageOptions);
    const socket = await page.connect(url);
    const open = await socket.opened();
    await socket.send('ping');
    assert.deepEqual(await socket.messages(1), ['ping']);
    return open;
  }

  it('uses xhr-streaming when the server disables WebSocket', async function () {
    const open = await connectAndEcho(server.url('/disabled_websocket_echo'));
    assert.equal(open.transport, 'xhr-streaming');
  });

  it('uses xhr-streaming when the browser has no WebSocket', async function () {
    const open = await connectAndEcho(server.url('/echo'), { deleteGlobals: ['WebSocket'] });
    assert.equal(open.transport, 'xhr-streaming');
  });

  it('falls back to HTTP when a proxy swallows the WebSocket handshake', async function () {
    proxy.blackholeUpgrades(true);
    const open = await connectAndEcho(proxy.url('/echo'));
    assert.notEqual(open.transport, 'websocket');
  });

  it('remembers a swallowed WebSocket across a reload (sessionStorage): on the next page it gives way', async function () {
    proxy.blackholeUpgrades(true);
    const url = proxy.url('/echo');
    const page = await openPage();
    const first = await page.connect(url);
    assert.notEqual((await first.opened()).transport, 'websocket');
    await page.page.reload({ waitUntil: 'load' });
    const { log, transport } = await page.run(
      (u) =>
        new Promise((resolve) => {
          const log = [];
          const socket = new Resock.SockJS(u, null, { debug: (event, detail) => log.push([event, detail]) });
          socket.onopen = () => {
            resolve({ log, transport: socket.transport });
            socket.close();
          };
          socket.onclose = (event) => resolve({ log, transport: `closed ${event.code}` });
        }),
      url,
    );
    assert.notEqual(transport, 'websocket');
    assert.deepEqual(log.filter(([event]) => event === 'transport:drop'), [['transport:drop', { transport: 'websocket' }]]);
  });

  it('closes with the HTTP status when /info answers 404', async function () {
    const page = await openPage();
    const socket = await page.connect(server.url('/no_such_endpoint'));
    const closed = await socket.closed();
    assert.deepEqual(
      { code: closed.code, reason: closed.reason },
      { code: 404, reason: `GET ${server.url('/no_such_endpoint/info')}: HTTP 404` },
    );
  });

  it('closes with 1002 when nothing listens on the port', async function () {
    const page = await openPage();
    const url = `http://127.0.0.1:${await closedPort()}/echo`;
    const socket = await page.connect(url);
    const closed = await socket.closed();
    assert.deepEqual(
      { code: closed.code, reason: closed.reason },
      { code: 1002, reason: `GET ${url}/info: no answer (down? CORS? CSP?)` },
    );
  });
});

/** A port of 127.0.0.1 that was free a moment ago and on which nothing listens now. */
async function closedPort() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
