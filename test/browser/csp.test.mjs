// A strict Content-Security-Policy: `default-src 'self'; script-src 'self'; connect-src <server>`
// (no unsafe-eval, no unsafe-inline). The page loads resock's IIFE from its own origin; every
// transport but jsonp-polling (whose <script>s come from the server) must connect and echo, and a
// blocked transport, JSONP included, must make the fallback move on rather than stall it.
import assert from 'node:assert/strict';
import { openPage } from '../support/browser.mjs';
import { withDeadline } from '../support/deadline.mjs';
import { startSockjsServer } from '../support/sockjs-server.mjs';

const MESSAGES = ['hello under CSP', 'Unicode: 你好 😀'];

describe('under a strict Content-Security-Policy', function () {
  let server;
  before(async () => {
    server = await startSockjsServer();
  });
  after(async () => {
    await server?.close();
  });

  /** The policy of the issue; `connect` lists what connect-src allows (default: the server, http and ws). */
  const policy = (connect = `${server.origin} ws://127.0.0.1:${server.port}`) =>
    `default-src 'self'; script-src 'self'; connect-src ${connect}`;

  /** A page under `csp`, listening for policy violations from the start of the test's own code. */
  async function strictPage(csp, deleteGlobals = []) {
    const page = await openPage({ responseHeaders: { 'Content-Security-Policy': csp }, deleteGlobals });
    await page.run(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    return page;
  }

  /**
   * In the page: a SockJS with `options` until it closes; resolves with the close code and the
   * transports it started, from its `debug` log. That log, not the network, tells which
   * transports were tried: Chromium shows a blocked JSONP <script> as a failed request, Firefox
   * refuses it before any request exists (and reports the violation in the hidden frame that
   * runs it, not in the page).
   */
  const closeWithTried = (page, url, options) =>
    page.run(
      (u, o) =>
        new Promise((resolve) => {
          const tried = [];
          const debug = (event, detail) => event === 'transport:start' && tried.push(detail.transport);
          const socket = new Resock.SockJS(u, null, { ...o, debug });
          socket.addEventListener('close', (event) => resolve({ code: event.code, tried }));
        }),
      url,
      options,
    );

  const variants = [
    ...['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling'].map((transport) => ({ transport, deleteGlobals: [] })),
    // The XMLHttpRequest readers, where fetch streams are missing.
    ...['xhr-streaming', 'xhr-polling'].map((transport) => ({ transport, deleteGlobals: ['ReadableStream'] })),
  ];
  for (const { transport, deleteGlobals } of variants) {
    const title = deleteGlobals.length > 0 ? `${transport} without ${deleteGlobals.join(', ')}` : transport;
    it(`connects and echoes over ${title}, with no violation`, async function () {
      const page = await strictPage(policy(), deleteGlobals);
      const socket = await page.connect(server.url('/echo'), { transports: transport });
      const open = await socket.opened();
      assert.equal(open.transport, transport);
      await socket.send(...MESSAGES);
      assert.deepEqual(await socket.messages(MESSAGES.length), MESSAGES);
      await socket.close();
      assert.equal((await socket.closed()).code, 1000);
      assert.deepEqual(await page.run(() => window.cspViolations), []);
      await page.waitUntilNoPendingRequests();
    });
  }

  it('jsonp-polling alone: its blocked <script> ends the connection (2000), leaving nothing running', async function () {
    const page = await strictPage(policy());
    const closed = await closeWithTried(page, server.url('/echo'), { transports: 'jsonp-polling' });
    assert.deepEqual(closed, { code: 2000, tried: ['jsonp-polling'] });
    await page.waitUntilNoPendingRequests();
  });

  // Trusted Types make `script.src = string` throw: JSONP cannot run, and each failed attempt
  // must leave no hidden frame behind (17 of them after 2.5 s of reconnects, before the fix).
  it("jsonp-polling under require-trusted-types-for 'script': every attempt fails, naming why, and removes its frame", async function () {
    const page = await strictPage(`default-src 'self'; script-src 'self' ${server.origin}; connect-src ${server.origin}; require-trusted-types-for 'script'`);
    const ATTEMPTS = 4;
    const result = await withDeadline(
      page.run(async (url, retries) => {
        const failures = [];
        const debug = (event, detail) => event === 'transport:fail' && failures.push(detail.reason);
        const client = new Resock(url, { transports: 'jsonp-polling', reconnect: { minDelay: 1, maxDelay: 1, maxAttempts: retries }, debug });
        const closed = await new Promise((resolve) => client.addEventListener('close', (event) => resolve(event.code)));
        return { closed, failures, frames: document.querySelectorAll('iframe').length };
      }, server.url('/echo'), ATTEMPTS - 1),
      { what: 'the client to give up' },
    );
    assert.equal(result.frames, 0, 'hidden frames left behind');
    assert.equal(result.closed, 2000);
    assert.equal(result.failures.length, ATTEMPTS, JSON.stringify(result.failures));
    for (const reason of result.failures) assert.equal(reason, 'GET /jsonp: script refused');
    await page.waitUntilNoPendingRequests();
  });

  it('all transports allowed, WebSocket not in connect-src: falls back to an HTTP transport and echoes', async function () {
    const page = await strictPage(policy(server.origin));
    const socket = await page.connect(server.url('/echo'));
    const open = await socket.opened();
    assert.ok(['xhr-streaming', 'eventsource', 'xhr-polling'].includes(open.transport), `opened on ${open.transport}`);
    await socket.send(...MESSAGES);
    assert.deepEqual(await socket.messages(MESSAGES.length), MESSAGES);
    await socket.close();
    await socket.closed();
    const violations = await page.run(() => window.cspViolations);
    assert.ok(violations.length > 0 && violations.every((v) => v.startsWith('connect-src ws://')), violations.join(', '));
  });

  it('all transports allowed, only /info in connect-src: every transport is tried, JSONP included, and it closes with 2000', async function () {
    const page = await strictPage(policy(`${server.url('/echo/info')}`));
    const closed = await closeWithTried(page, server.url('/echo'), {});
    assert.equal(closed.code, 2000, JSON.stringify(closed));
    assert.deepEqual([...closed.tried].sort(), ['eventsource', 'jsonp-polling', 'websocket', 'xhr-polling', 'xhr-streaming'], 'every transport tried');
    await page.waitUntilNoPendingRequests();
  });
});
