// The same focused suite in Chromium, Firefox and WebKit (Safari's engine): every transport with
// both clients, unicode and a 256 KiB message; the default pick; the fallback when WebSocket is
// refused; a cut and a reconnect with messages queued meanwhile; nothing left running on the
// server after close(); the XMLHttpRequest readers with ReadableStream removed. The transports
// are where engines differ (stream readers, XHR progress events, EventSource, WebSocket errors).
//
//   npm run test:engines                     (all three; RESOCK_ENGINES=webkit for one)
//
// The script runs mocha with --exit: once, on a fresh machine, all 60 tests passed, every
// engine and server was closed, and then the process spun at 100 % CPU for good inside Node's
// own exit (node::Environment::CleanupHandles, per gdb; no JavaScript left to run). Leaving
// through process.exit() skips that native cleanup. scripts/test.sh bounds every suite as well.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDeadline } from '../support/deadline.mjs';
import { startProxy } from '../support/proxy.mjs';
import { startSockjsServer } from '../support/sockjs-server.mjs';
import { startStaticServer } from '../support/static-server.mjs';
import { selectedEngines, startEngine } from './drivers.mjs';

const TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];
const CLIENTS = ['SockJS', 'Resock'];
const UNICODE = ['Καλημέρα κόσμε', '你好，世界 こんにちは', 'مرحبا بالعالم', '😀👍🏽👨‍👩‍👧 𝄞 𠜎', 'e\u0301 \u2028 \ufeff \u0000 \u00ad'];
/** 256 KiB of UTF-16 code units, multi-byte characters included so that UTF-8 sequences straddle chunks. */
const BIG_MESSAGE = 'resock 256 KiB ÿ€😀\u2028 "\\ '.repeat(16 * 1024).slice(0, 256 * 1024);
/** Bound of the server's view to empty after a close: the browser ends its connections at once, the server hears it soon after. */
const SERVER_IDLE_MS = 10000;

/** Resolves once the server has no request or WebSocket open; fails naming what still runs. */
async function serverIdle(server) {
  const idle = (async () => {
    for (let i = 0; i < SERVER_IDLE_MS / 20 && server.pendingRequests().length > 0; i++) await sleep(20);
  })();
  await withDeadline(idle, { what: 'the server to have nothing open', timeoutMs: SERVER_IDLE_MS + 1000 });
  assert.deepEqual(server.pendingRequests(), [], 'still open on the server');
}

for (const engineName of selectedEngines()) {
  describe(`in ${engineName}`, function () {
    this.timeout(120000);
    let engine;
    let staticServer;
    let server;
    let proxy;
    let page;

    before(async function () {
      staticServer = await startStaticServer();
      server = await startSockjsServer();
      proxy = await startProxy({ targetPort: server.port });
      engine = await startEngine(engineName);
      console.log(`      ${engineName}: ${engine.version}`);
    });
    after(async function () {
      await engine?.close();
      await proxy?.close();
      await server?.close();
      await staticServer?.close();
    });
    afterEach(async function () {
      if (!page) return;
      const errors = await page.run(() => window.enginePage.errors()).catch((error) => [`(page unreachable: ${error.message})`]);
      await page.close();
      page = undefined;
      assert.deepEqual(errors, [], 'uncaught errors in the page');
    });

    /**
     * Loads the test page, the globals in `deleteGlobals` removed before the bundle runs, with
     * `headers` added to its response (a Content-Security-Policy, say).
     */
    async function openPage({ deleteGlobals = [], headers = {} } = {}) {
      const url = new URL(staticServer.url('/test/engines/page.html', { headers }));
      if (deleteGlobals.length > 0) url.searchParams.set('delete', deleteGlobals.join(','));
      page = await engine.open(url.href);
      assert.equal(await page.run(() => typeof window.Resock === 'function' && typeof window.enginePage === 'object'), true, 'the bundle loaded');
      return page;
    }

    /** Opens `client` on `url`, echoes `messages`, closes; resolves with the transport and the close. */
    async function echo({ client, url, options, messages }) {
      const { id, transport } = await page.run((c, u, o) => window.enginePage.open(c, u, o), client, url, options);
      await page.run((i, list) => window.enginePage.send(i, list), id, messages);
      const received = await page.run((i, n) => window.enginePage.messages(i, n), id, messages.length);
      assert.deepEqual(received, messages, `${client} over ${transport} echoed`);
      const closed = await page.run((i) => window.enginePage.close(i), id);
      return { transport, closed };
    }

    for (const transport of TRANSPORTS) {
      for (const client of CLIENTS) {
        it(`${client} over ${transport}: unicode and a 256 KiB message echo, and close() leaves nothing open on the server`, async function () {
          await openPage();
          const opened = await echo({ client, url: server.url('/echo'), options: { transports: transport }, messages: [...UNICODE, BIG_MESSAGE, 'last'] });
          assert.equal(opened.transport, transport);
          assert.equal(opened.closed.code, 1000);
          await serverIdle(server);
        });
      }
    }

    for (const transport of ['xhr-streaming', 'xhr-polling']) {
      it(`${transport} without ReadableStream (the XMLHttpRequest reader): unicode and a 256 KiB message echo`, async function () {
        await openPage({ deleteGlobals: ['ReadableStream'] });
        assert.equal(await page.run(() => typeof window.ReadableStream), 'undefined');
        const opened = await echo({ client: 'SockJS', url: server.url('/echo'), options: { transports: transport }, messages: [...UNICODE, BIG_MESSAGE] });
        assert.equal(opened.transport, transport);
        await serverIdle(server);
      });
    }

    it('picks WebSocket by default', async function () {
      await openPage();
      for (const client of CLIENTS) {
        const { transport } = await echo({ client, url: server.url('/echo'), options: {}, messages: ['default'] });
        assert.equal(transport, 'websocket', client);
      }
    });

    it('falls back to HTTP streaming when WebSocket is refused', async function () {
      await openPage();
      proxy.refuseUpgrades(true);
      try {
        for (const client of CLIENTS) {
          const { transport } = await echo({ client, url: proxy.url('/echo'), options: {}, messages: ['over the fallback', ...UNICODE] });
          assert.equal(transport, 'xhr-streaming', client);
        }
      } finally {
        proxy.refuseUpgrades(false);
      }
    });

    // Firefox throws from `new WebSocket()` when the CSP blocks it, where Chromium and WebKit fail
    // it asynchronously: either way the debug hook hears of the failure before the fallback.
    it('reports a WebSocket that the CSP blocks as a failed transport, then falls back', async function () {
      await openPage({ headers: { 'Content-Security-Policy': `default-src 'self'; connect-src ${server.origin}` } });
      const { transport, log } = await page.run((u) => window.enginePage.debugLog(u, { transports: ['websocket', 'xhr-streaming'] }), server.url('/echo'));
      assert.equal(transport, 'xhr-streaming', JSON.stringify(log));
      const failed = log.findIndex(([event, detail]) => event === 'transport:fail' && detail.transport === 'websocket');
      const opened = log.findIndex(([event, detail]) => event === 'transport:open' && detail.transport === 'xhr-streaming');
      assert.ok(failed >= 0 && opened > failed, `transport:fail for websocket, then the open, in ${JSON.stringify(log)}`);
    });

    for (const transport of TRANSPORTS) {
      it(`Resock over ${transport}: a cut, messages queued while reconnecting, then all delivered in order`, async function () {
        await openPage();
        const options = { transports: transport, reconnect: { minDelay: 50, maxDelay: 200 } };
        const { id } = await page.run((u, o) => window.enginePage.open('Resock', u, o), proxy.url('/echo'), options);
        const before = ['before the cut'];
        await page.run((i, list) => window.enginePage.send(i, list), id, before);
        assert.deepEqual(await page.run((i, n) => window.enginePage.messages(i, n), id, 1), before);
        proxy.refuse(true);
        proxy.cutAll();
        try {
          await page.run((i) => window.enginePage.reconnecting(i, 1), id);
          const queued = Array.from({ length: 20 }, (_, n) => `queued ${n} ${UNICODE[n % UNICODE.length]}`);
          await page.run((i, list) => window.enginePage.send(i, list), id, queued);
          proxy.refuse(false);
          const reopened = await page.run((i) => window.enginePage.opened(i, 2), id);
          assert.equal(reopened.transport, transport);
          const received = await page.run((i, n) => window.enginePage.messages(i, n), id, 1 + queued.length);
          assert.deepEqual(received, [...before, ...queued]);
        } finally {
          proxy.refuse(false);
        }
        await page.run((i) => window.enginePage.close(i), id);
        await serverIdle(server);
      });
    }
  });
}
