// resock's `SockJS` as a drop-in for sockjs-client 1.6.1. Every shared case runs twice in the
// same kind of page: against the built IIFE's `Resock.SockJS`, and against sockjs-client's own
// dist/sockjs.min.js, so the cases are known to encode what sockjs-client really does. What
// differs on purpose is pinned at the end, both sides asserted, and listed in the README.
import assert from 'node:assert/strict';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { openPage } from '../support/browser.mjs';
import { withDeadline } from '../support/deadline.mjs';
import { trackNetwork } from '../support/network-tracker.mjs';
import { startSockjsServer } from '../support/sockjs-server.mjs';
import { TestPage } from '../support/test-page.mjs';

const SOCKJS_CLIENT = fileURLToPath(new URL('../../node_modules/sockjs-client/dist/sockjs.min.js', import.meta.url));
const PROBE = fileURLToPath(new URL('../fixtures/compat/sockjs-probe.js', import.meta.url));
const IMPLEMENTATIONS = ['resock', 'sockjs-client'];
const TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];

/** The test page (resock's IIFE) with sockjs-client and the probe added; `window.SockJSClient` is sockjs-client's. */
async function comparePage() {
  return preparePage(await openPage());
}

async function preparePage(page) {
  const iifeDefinedSockJS = await page.run(() => window.SockJS === window.Resock.SockJS);
  await page.page.addScriptTag({ path: SOCKJS_CLIENT });
  await page.page.addScriptTag({ path: PROBE });
  await page.run(() => {
    window.SockJSClient = window.SockJS;
  });
  page.iifeDefinedSockJS = iifeDefinedSockJS;
  return page;
}

/**
 * A compare page kept for a whole describe block (openPage's pages last one test): dozens of
 * cases then share one page load. Each case closes what it opens. `close()` it in `after`.
 */
async function sharedComparePage() {
  const first = await openPage(); // closed after the current test by the harness; lends its browser and URL
  const context = await first.page.browser().createBrowserContext();
  const page = await context.newPage();
  const testPage = new TestPage(page, await trackNetwork(page));
  await page.goto(first.page.url(), { waitUntil: 'load' });
  await preparePage(testPage);
  testPage.close = async () => {
    await context.close();
    testPage.assertNoPageErrors();
  };
  return testPage;
}

/** `page.run(fn, ...args)`, failing with `what` if it has not settled within the usual bound. */
const inPage = (page, what, fn, ...args) => withDeadline(page.run(fn, ...args), { what });

/** In the page: the events of one `impl` socket to `url` up to its open; then closes it. */
const openEvents = (page, impl, url) =>
  inPage(
    page,
    'an open',
    async (name, u) => {
      const watch = probe.watch(() => new (probe.impl(name))(u));
      const seen = await watch.until('open');
      watch.socket.close();
      return seen;
    },
    impl,
    url,
  );

/** A port of 127.0.0.1 on which nothing listens (it was free a moment ago). */
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The events' types in order, with the close's fields: easy to read in a failed assertion. */
const summary = (events) =>
  events.map((e) => (e.type === 'close' ? `close ${e.code} ${e.reason} ${e.wasClean ? 'clean' : 'unclean'}` : e.type));

describe('SockJS as a drop-in for sockjs-client', function () {
  let server;
  let pageOrigin;
  before(async () => {
    server = await startSockjsServer();
  });
  after(async () => {
    await server?.close();
  });

  for (const impl of IMPLEMENTATIONS) {
    describe(`${impl}`, function () {
      describe('constructor and methods', function () {
        let page; // one page for the block: see sharedComparePage
        before(async () => {
          page = await sharedComparePage();
          pageOrigin = await page.run(() => location.origin);
        });
        after(async () => {
          await page?.close();
        });

        it('has the readyState constants on the class', async function () {
          const constants = await page.run((name) => {
            const S = probe.impl(name);
            return [S.CONNECTING, S.OPEN, S.CLOSING, S.CLOSED];
          }, impl);
          assert.deepEqual(constants, [0, 1, 2, 3]);
        });

        it('throws a TypeError when called without arguments', async function () {
          const thrown = await page.run((name) => probe.thrown(() => new (probe.impl(name))()), impl);
          assert.equal(thrown?.name, 'TypeError');
        });

        it('throws a SyntaxError for a URL that is invalid, not http(s) or has a fragment', async function () {
          const urls = [
            'http://',
            'ftp://127.0.0.1/echo',
            'ws://127.0.0.1/echo',
            'wss://127.0.0.1/echo',
            'file:///echo',
            'javascript:void 0',
            'data:,echo',
            'http://127.0.0.1/echo#fragment',
            'http://127.0.0.1/echo#',
            'http://127.0.0.1/echo?q=1#fragment',
          ];
          const thrown = await page.run(
            (name, list) => list.map((url) => [url, probe.thrown(() => new (probe.impl(name))(url))]),
            impl,
            urls,
          );
          assert.deepEqual(
            thrown.map(([url, error]) => [url, error?.name]),
            urls.map((url) => [url, 'SyntaxError']),
          );
        });

        it('resolves a relative URL against the page and drops trailing slashes', async function () {
          const cases = [
            ['/echo', `${pageOrigin}/echo`],
            ['echo', `${pageOrigin}/test/browser/echo`],
            ['//127.0.0.1:9/echo', 'http://127.0.0.1:9/echo'],
            ['HTTP://127.0.0.1:80/Echo/', 'http://127.0.0.1/Echo'],
            ['http://127.0.0.1:9/echo///', 'http://127.0.0.1:9/echo'],
            ['http://127.0.0.1:9/echo?a=1&b=2', 'http://127.0.0.1:9/echo?a=1&b=2'],
            ['https://127.0.0.1:9/echo', 'https://127.0.0.1:9/echo'],
            ['http://[::1]:9/echo', 'http://[::1]:9/echo'],
          ];
          const urls = await page.run(
            (name, list) =>
              list.map(([url]) => {
                const socket = new (probe.impl(name))(url);
                socket.close(); // no request is needed to read the URL
                return [url, socket.url];
              }),
            impl,
            cases,
          );
          assert.deepEqual(urls, cases);
        });

        it('throws a SyntaxError for an empty or a duplicated protocol, and ignores valid ones', async function () {
          const cases = [
            [[''], 'SyntaxError'],
            [['a', 'a'], 'SyntaxError'],
            [['b', 'a', 'b'], 'SyntaxError'],
            ['', null],
            ['v12.stomp', null],
            [['v10.stomp', 'v11.stomp', 'v12.stomp'], null],
            [['a', 'A'], null], // case-sensitive, as WebSocket
          ];
          const thrown = await page.run(
            // A copy each time: sockjs-client sorts the caller's array in place.
            (name, list, url) =>
              list.map(([protocols]) => [protocols, probe.thrown(() => new (probe.impl(name))(url, Array.isArray(protocols) ? protocols.slice() : protocols))]),
            impl,
            cases,
            server.url('/echo'),
          );
          assert.deepEqual(
            thrown.map(([protocols, error]) => [protocols, error && error.name]),
            cases,
          );
        });

        it("starts CONNECTING, with '' protocol and extensions", async function () {
          const state = await page.run(
            (name, url) => {
              const socket = new (probe.impl(name))(url);
              const seen = { readyState: socket.readyState, protocol: socket.protocol, extensions: socket.extensions, transport: socket.transport ?? null };
              socket.close();
              return seen;
            },
            impl,
            server.url('/echo'),
          );
          assert.deepEqual(state, { readyState: 0, protocol: '', extensions: '', transport: null });
        });

        it('throws InvalidStateError from send() while CONNECTING', async function () {
          const thrown = await page.run(
            (name, url) => {
              const socket = new (probe.impl(name))(url);
              const error = probe.thrown(() => socket.send('too early'));
              socket.close();
              return error;
            },
            impl,
            server.url('/echo'),
          );
          assert.ok(thrown?.isError, `send() did not throw an Error: ${JSON.stringify(thrown)}`);
          assert.match(thrown.message, /InvalidStateError/);
        });

        it('accepts close() codes 1000 and 3000–4999 only (InvalidAccessError), and reasons up to 123 bytes (SyntaxError)', async function () {
          const codes = [999, 1001, 1006, 1015, 2000, 2999, 5000, 65535, -1, 1000.5, '1000', 1000, 3000, 3001, 4000, 4999];
          const results = await page.run(
            (name, url, list) => {
              const S = probe.impl(name);
              const attempt = (...args) => {
                const socket = new S(url);
                const error = probe.thrown(() => socket.close(...args));
                const readyState = socket.readyState;
                socket.close();
                return error ? { thrown: error.name === 'SyntaxError' ? 'SyntaxError' : error.message } : { readyState };
              };
              return {
                codes: list.map((code) => [code, attempt(code)]),
                reason123: attempt(1000, 'x'.repeat(123)),
                reason124: attempt(3000, 'x'.repeat(124)),
              };
            },
            impl,
            server.url('/echo'),
            codes,
          );
          for (const [code, result] of results.codes) {
            const valid = code === 1000 || (typeof code === 'number' && code >= 3000 && code <= 4999);
            if (valid) assert.deepEqual(result, { readyState: 2 }, `close(${code})`);
            else assert.match(result.thrown ?? 'nothing thrown', /InvalidAccessError/, `close(${JSON.stringify(code)})`);
          }
          assert.deepEqual(results.reason123, { readyState: 2 });
          assert.deepEqual(results.reason124, { thrown: 'SyntaxError' });
        });
      });

      describe('connections', function () {
        let page; // one page for the block: see sharedComparePage
        before(async () => {
          page = await sharedComparePage();
          pageOrigin = await page.run(() => location.origin);
        });
        after(async () => {
          await page?.close();
        });

        it('close() while CONNECTING: CLOSING at once, then error and close (1000), asynchronously', async function () {
          const result = await inPage(
            page,
            'the close event',
            async (name, url) => {
              const S = probe.impl(name);
              const watch = probe.watch(() => new S(url));
              probe.call(() => watch.socket.close());
              const readyStateAfterClose = watch.socket.readyState;
              return { readyStateAfterClose, events: await watch.until('close') };
            },
            impl,
            server.url('/echo'),
          );
          assert.equal(result.readyStateAfterClose, 2);
          assert.deepEqual(summary(result.events), ['error', 'close 1000 Normal closure clean']);
          assert.ok(result.events.every((e) => !e.sync && e.readyState === 3), JSON.stringify(result.events));
        });

        for (const transport of TRANSPORTS) {
          it(`over ${transport}: open, messages, close in order, asynchronously; non-strings sent as String(x); onX before listeners`, async function () {
            const result = await inPage(
              page,
              `an echo over ${transport}`,
              async (name, url, t) => {
                const S = probe.impl(name);
                const watch = probe.watch(() => new S(url, null, { transports: [t] }));
                await watch.until('open');
                probe.call(() => {
                  for (const value of [42, null, undefined, {}, [1, 2], true, 'last']) watch.socket.send(value);
                });
                await watch.until('message', 7);
                const thrownByCloseAndSend = probe.call(() =>
                  probe.thrown(() => {
                    watch.socket.close();
                    watch.socket.close(); // a second close is a no-op
                    watch.socket.send('after close'); // and so is a send once closing
                  }),
                );
                const readyStateAfterClose = watch.socket.readyState;
                await watch.until('close');
                const sendWhenClosed = probe.thrown(() => watch.socket.send('after the close event'));
                return { log: watch.log, events: watch.events(), thrownByCloseAndSend, readyStateAfterClose, sendWhenClosed };
              },
              impl,
              server.url('/echo'),
              transport,
            );
            const { log, events } = result;
            assert.deepEqual(summary(events), ['open', ...Array(7).fill('message'), 'close 1000 Normal closure clean']);
            assert.deepEqual(
              events.filter((e) => e.type === 'message').map((e) => e.data),
              ['42', 'null', 'undefined', '[object Object]', '1,2', 'true', 'last'],
            );
            assert.ok(events.every((e) => !e.sync), `an event fired synchronously: ${JSON.stringify(events.filter((e) => e.sync))}`);
            assert.deepEqual(
              { readyState: events[0].readyState, transport: events[0].transport },
              { readyState: 1, transport },
              'state at open',
            );
            assert.equal(events.at(-1).readyState, 3, 'readyState at close');
            assert.equal(result.readyStateAfterClose, 2, 'readyState right after close()');
            assert.equal(result.thrownByCloseAndSend, null);
            assert.equal(result.sendWhenClosed, null);
            // Each event reached its onX handler first, then the listener.
            assert.deepEqual(
              log.map((e) => e.via),
              events.flatMap((e) => [`on${e.type}`, e.type]),
            );
          });
        }

        it('accepts the transports option as a single name', async function () {
          const opened = await inPage(
            page,
            'an open on each transport',
            async (name, url, list) => {
              const S = probe.impl(name);
              const seen = [];
              for (const t of list) {
                const watch = probe.watch(() => new S(url, null, { transports: t }));
                const events = await watch.until('open');
                seen.push(events[0].type === 'open' ? events[0].transport : JSON.stringify(events));
                watch.socket.close();
                await watch.until('close');
              }
              return seen;
            },
            impl,
            server.url('/echo'),
            TRANSPORTS,
          );
          assert.deepEqual(opened, TRANSPORTS);
        });

        for (const [label, transports] of [['[]', []], ["''", ''], ['null', null]]) {
          it(`treats transports: ${label} as no restriction`, async function () {
            const events = await inPage(
              page,
              'an open',
              async (name, url, value) => {
                const watch = probe.watch(() => new (probe.impl(name))(url, null, { transports: value }));
                const seen = await watch.until('open');
                watch.socket.close();
                return seen;
              },
              impl,
              server.url('/echo'),
              transports,
            );
            assert.deepEqual(summary(events).map((type) => (type === 'open' ? `open ${events[0].transport}` : type)), ['open websocket']);
          });
        }

        it('opens on websocket by default', async function () {
          const events = await openEvents(page, impl, server.url('/echo'));
          assert.deepEqual(
            events.map((e) => `${e.type} ${e.transport}`),
            ['open websocket'],
          );
        });

        it('delivers what the server sends right after open, in order', async function () {
          const events = await inPage(
            page,
            '3 messages',
            async (name, url) => {
              const watch = probe.watch(() => new (probe.impl(name))(url, null, { transports: 'xhr-streaming' }));
              const seen = await watch.until('message', 3);
              watch.socket.close();
              return seen;
            },
            impl,
            server.url('/push'),
          );
          assert.deepEqual(
            events.map((e) => (e.type === 'message' ? e.data : e.type)),
            ['open', 'one', 'two', 'three'],
          );
        });

        it("reports the server's close frame: code, reason, wasClean, no error", async function () {
          const events = await inPage(
            page,
            'the close event',
            async (name, url) => probe.watch(() => new (probe.impl(name))(url, null, { transports: 'xhr-polling' })).until('close'),
            impl,
            server.url('/close'),
          );
          assert.deepEqual(summary(events), ['open', 'close 3000 Go away! clean']);
        });

        it('close(code, reason) in onopen: close carries them, and no message is delivered after', async function () {
          const events = await inPage(
            page,
            'the close event',
            async (name, url) => {
              const watch = probe.watch(() => new (probe.impl(name))(url, null, { transports: 'websocket' }));
              watch.socket.addEventListener('open', () => watch.socket.close(4001, 'done here'));
              return watch.until('close');
            },
            impl,
            server.url('/push'),
          );
          assert.deepEqual(summary(events), ['open', 'close 4001 done here clean']);
        });

        it('closes with 2000 and no error when no allowed transport is usable', async function () {
          const results = await inPage(
            page,
            'the close events',
            async (name, echo, noWebSocket) => {
              const S = probe.impl(name);
              return [
                await probe.watch(() => new S(echo, null, { transports: ['no-such-transport'] })).until('close'),
                await probe.watch(() => new S(noWebSocket, null, { transports: 'websocket' })).until('close'),
              ];
            },
            impl,
            server.url('/echo'),
            server.url('/disabled_websocket_echo'),
          );
          for (const events of results) assert.deepEqual(summary(events), ['close 2000 All transports failed unclean']);
        });

        it('skips websocket when the server disables it', async function () {
          const events = await openEvents(page, impl, server.url('/disabled_websocket_echo'));
          assert.equal(events[0]?.type, 'open', JSON.stringify(events));
          assert.notEqual(events[0].transport, 'websocket');
        });

        it('closes with 1002 and no error when the server cannot be reached', async function () {
          const port = await closedPort();
          const url = `http://127.0.0.1:${port}/echo`;
          const events = await inPage(
            page,
            'the close event',
            async (name, url) => probe.watch(() => new (probe.impl(name))(url)).until('close'),
            impl,
            url,
          );
          // resock's reason says which request failed and why; the code is sockjs-client's.
          const reason = impl === 'resock' ? `GET ${url}/info: no answer (down? CORS? CSP?)` : 'Cannot connect to server';
          assert.deepEqual(summary(events), [`close 1002 ${reason} unclean`]);
        });
      });
    });
  }

  describe('resock beyond sockjs-client', function () {
    let page;
    beforeEach(async () => {
      page = await comparePage();
    });

    it('the IIFE defines window.SockJS when the page has none', function () {
      assert.equal(page.iifeDefinedSockJS, true);
    });

    it('the IIFE keeps a SockJS the page already has', async function () {
      const kept = await page.run(() => {
        window.SockJS = window.SockJSClient;
        return typeof window.SockJS === 'function';
      });
      assert.ok(kept);
      await page.page.addScriptTag({ url: `${await page.run(() => location.origin)}/dist/resock.min.js` });
      assert.equal(await page.run(() => window.SockJS === window.SockJSClient && window.SockJS !== window.Resock.SockJS), true);
    });

    it('has the readyState constants on the instance too, as WebSocket', async function () {
      const constants = await page.run((url) => {
        const socket = new Resock.SockJS(url);
        socket.close();
        return [socket.CONNECTING, socket.OPEN, socket.CLOSING, socket.CLOSED];
      }, server.url('/echo'));
      assert.deepEqual(constants, [0, 1, 2, 3]);
    });

    it("throws errors named as the DOM's, of exported classes", async function () {
      const errors = await page.run((url) => {
        const socket = new Resock.SockJS(url);
        const caught = (fn) => {
          try {
            fn();
          } catch (error) {
            return error;
          }
        };
        const state = caught(() => socket.send('x'));
        const access = caught(() => socket.close(1001));
        socket.close();
        return {
          state: [state.name, state instanceof Resock.InvalidStateError],
          access: [access.name, access instanceof Resock.InvalidAccessError],
        };
      }, server.url('/echo'));
      assert.deepEqual(errors, { state: ['InvalidStateError', true], access: ['InvalidAccessError', true] });
    });

    it('sets event.target to the socket', async function () {
      const targets = await inPage(page, 'the close event', async (url) => {
        const socket = new Resock.SockJS(url);
        const seen = [];
        await new Promise((resolve) => {
          socket.onopen = (event) => {
            seen.push(event.target === socket);
            socket.close();
          };
          socket.onclose = (event) => {
            seen.push(event.target === socket);
            resolve();
          };
        });
        return seen;
      }, server.url('/echo'));
      assert.deepEqual(targets, [true, true]);
    });
  });

  // Each of these is in the README's list of differences; both sides are asserted so the list stays true.
  describe('differences from sockjs-client 1.6.1, on purpose', function () {
    let page;
    before(async () => {
      page = await sharedComparePage();
    });
    after(async () => {
      await page?.close();
    });

    /** `{ resock, 'sockjs-client' }`: what `fn(name, ...args)` returned in the page for each implementation. */
    const both = async (fn, ...args) => {
      const out = {};
      for (const name of IMPLEMENTATIONS) out[name] = await page.run(fn, name, ...args);
      return out;
    };

    it("an empty URL: resock throws SyntaxError, sockjs-client connects to the page's own URL", async function () {
      const out = await both((name) =>
        probe.outcome(name, (S) => {
          const socket = new S('');
          socket.close();
          return socket.url;
        }),
      );
      assert.deepEqual(out, { resock: 'throws SyntaxError', 'sockjs-client': await page.run(() => location.href) });
    });

    it("a scheme alone ('http:'): resock resolves it against the page as WebSocket would, sockjs-client throws SyntaxError", async function () {
      const out = await both((name) =>
        probe.outcome(name, (S) => {
          const socket = new S('http:');
          socket.close();
          return socket.url;
        }),
      );
      assert.deepEqual(out, { resock: await page.run(() => location.href), 'sockjs-client': 'throws SyntaxError' });
    });

    it('a port out of range: resock throws SyntaxError, sockjs-client accepts it', async function () {
      const out = await both((name) =>
        probe.outcome(name, (S) => {
          new S('http://127.0.0.1:99999/echo').close();
          return 'constructed';
        }),
      );
      assert.deepEqual(out, { resock: 'throws SyntaxError', 'sockjs-client': 'constructed' });
    });

    it('credentials in the URL: resock leaves them out of url (fetch refuses them), sockjs-client keeps them', async function () {
      const out = await both((name) =>
        probe.outcome(name, (S) => {
          const socket = new S('http://user:secret@127.0.0.1:9/echo');
          socket.close();
          return socket.url;
        }),
      );
      assert.deepEqual(out, { resock: 'http://127.0.0.1:9/echo', 'sockjs-client': 'http://user:secret@127.0.0.1:9/echo' });
    });

    it('calling SockJS without new: resock throws TypeError (a class), sockjs-client constructs', async function () {
      const out = await both(
        (name, url) =>
          probe.outcome(name, (S) => {
            S(url).close();
            return 'constructed';
          }),
        server.url('/echo'),
      );
      assert.deepEqual(out, { resock: 'throws TypeError', 'sockjs-client': 'constructed' });
    });

    it('close(0) and close(null): resock throws InvalidAccessError as WebSocket does, sockjs-client closes with 1000', async function () {
      const out = await both(
        (name, url) =>
          [0, null].map((code) =>
            probe.outcome(name, (S) => {
              const socket = new S(url);
              try {
                socket.close(code);
                return `closing ${socket.readyState}`;
              } finally {
                socket.close();
              }
            }),
          ),
        server.url('/echo'),
      );
      assert.deepEqual(out, {
        resock: ['throws InvalidAccessError', 'throws InvalidAccessError'],
        'sockjs-client': ['closing 2', 'closing 2'],
      });
    });

    it('a reason of ≤ 123 characters but > 123 UTF-8 bytes: resock throws SyntaxError as WebSocket does, sockjs-client counts characters', async function () {
      const out = await both(
        (name, url) =>
          probe.outcome(name, (S) => {
            const socket = new S(url);
            try {
              socket.close(1000, 'é'.repeat(62)); // 62 characters, 124 bytes
              return 'accepted';
            } finally {
              socket.close();
            }
          }),
        server.url('/echo'),
      );
      assert.deepEqual(out, { resock: 'throws SyntaxError', 'sockjs-client': 'accepted' });
    });

    it('unknown or mistyped options: resock throws a TypeError naming the option, sockjs-client ignores them', async function () {
      const out = await both(
        (name, url) =>
          [{ transport: 'websocket' }, { timeout: '5s' }, { sessionId: 0 }].map((options) =>
            probe.outcome(name, (S) => {
              new S(url, null, options).close();
              return 'accepted';
            }),
          ),
        server.url('/echo'),
      );
      assert.deepEqual(out['sockjs-client'], ['accepted', 'accepted', 'accepted']);
      assert.deepEqual(out.resock, ['throws TypeError', 'throws TypeError', 'throws TypeError']);
      const messages = await page.run((url) => [{ transport: 'websocket' }, { timeout: '5s' }].map((options) => probe.thrown(() => new Resock.SockJS(url, null, options)).message), server.url('/echo'));
      assert.match(messages[0], /'transport'/);
      assert.match(messages[1], /'timeout'/);
    });

    it("sockjs-client's own options are accepted by resock (and ignored)", async function () {
      const out = await both(
        (name, url) =>
          probe.outcome(name, (S) => {
            const options = { transportOptions: { 'xhr-streaming': {} }, protocols_whitelist: ['websocket'], devel: true, info: {}, rtt: 1, jsessionid: false, cookie: false };
            new S(url, null, options).close();
            return 'accepted';
          }),
        server.url('/echo'),
      );
      assert.deepEqual(out, { resock: 'accepted', 'sockjs-client': 'accepted' });
    });

    it('/info answered 404: resock closes with the status (404) and names the request, sockjs-client with 1002', async function () {
      const out = await inPage(page, 'the close events', async (url) => {
        const seen = {};
        for (const name of ['resock', 'sockjs-client']) {
          const events = await probe.watch(() => new (probe.impl(name))(url)).until('close');
          seen[name] = events.map((e) => `${e.type} ${e.code} ${e.reason}`);
        }
        return seen;
      }, server.url('/no-such-endpoint'));
      assert.deepEqual(out, {
        resock: [`close 404 GET ${server.url('/no-such-endpoint/info')}: HTTP 404`],
        'sockjs-client': ['close 1002 Cannot connect to server'],
      });
    });
  });
});
