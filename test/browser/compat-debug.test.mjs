// The `debug` option: transport choices, fallbacks, reconnects and closes reported to a function
// (or to console.debug with `debug: true`), silent by default. Event names and details pinned
// here: 'transport:start' {transport}, 'transport:open' {transport}, 'transport:fail' {transport,
// code, reason}, 'reconnect' {attempt, delay, code, reason}, 'close' {code, reason}.
import assert from 'node:assert/strict';
import { openPage } from '../support/browser.mjs';
import { withDeadline } from '../support/deadline.mjs';
import { startSockjsServer } from '../support/sockjs-server.mjs';

/** `[event, detail]` entries reduced to the event names, for readable failures. */
const names = (log) => log.map(([event]) => event);
const find = (log, event, match = {}) =>
  log.find(([name, detail]) => name === event && Object.entries(match).every(([key, value]) => detail?.[key] === value));

describe('the debug option', function () {
  let server;
  before(async () => {
    server = await startSockjsServer();
  });
  after(async () => {
    await server?.close();
  });

  /** In the page: a Resock (or SockJS) with `debug` collecting events; opens, then closes; resolves with the log. */
  const openAndClose = (page, url, options, { sockjs = false } = {}) =>
    withDeadline(
      page.run(
        (u, o, useSockJS) =>
          new Promise((resolve) => {
            const log = [];
            const debug = (event, detail) => log.push([event, JSON.parse(JSON.stringify(detail ?? null))]);
            const socket = useSockJS ? new Resock.SockJS(u, null, { ...o, debug }) : new Resock(u, { ...o, debug });
            socket.addEventListener('open', () => socket.close(1000, 'done'));
            socket.addEventListener('close', () => resolve(log));
          }),
        url,
        options,
        sockjs,
      ),
      { what: 'open and close', explain: async () => page.describeConsoleErrors() },
    );

  it('reports the transport tried, the one that opened, and the close', async function () {
    const page = await openPage();
    const log = await openAndClose(page, server.url('/echo'), { transports: ['websocket', 'xhr-streaming'] });
    const start = log.findIndex(([event, detail]) => event === 'transport:start' && detail?.transport === 'websocket');
    const open = log.findIndex(([event, detail]) => event === 'transport:open' && detail?.transport === 'websocket');
    const close = log.findIndex(([event, detail]) => event === 'close' && detail?.code === 1000);
    assert.ok(start >= 0 && open > start && close > open, `order of ${JSON.stringify(log)}`);
  });

  it('reports a failed transport with its code and reason, then the fallback', async function () {
    // WebSocket left out of connect-src: the browser refuses it and resock falls back.
    const page = await openPage({
      responseHeaders: { 'Content-Security-Policy': `default-src 'self'; script-src 'self'; connect-src ${server.origin}` },
    });
    const log = await openAndClose(page, server.url('/echo'), { transports: ['websocket', 'xhr-streaming'] });
    const fail = find(log, 'transport:fail', { transport: 'websocket' });
    assert.ok(fail, `no transport:fail for websocket in ${JSON.stringify(log)}`);
    assert.equal(typeof fail[1].code, 'number');
    assert.equal(typeof fail[1].reason, 'string');
    assert.ok(find(log, 'transport:start', { transport: 'xhr-streaming' }), JSON.stringify(names(log)));
    assert.ok(find(log, 'transport:open', { transport: 'xhr-streaming' }), JSON.stringify(names(log)));
    assert.ok(log.indexOf(fail) < log.indexOf(find(log, 'transport:open', { transport: 'xhr-streaming' })));
  });

  it('reports a reconnect with the attempt, the delay and why', async function () {
    const page = await openPage();
    const log = await withDeadline(
      page.run(
        (url) =>
          new Promise((resolve) => {
            const log = [];
            // The server closes every session with 3000 "Go away!": Resock reconnects.
            const client = new Resock(url, {
              transports: 'xhr-polling',
              reconnect: { minDelay: 0, maxDelay: 0 },
              debug: (event, detail) => {
                log.push([event, JSON.parse(JSON.stringify(detail ?? null))]);
                if (event === 'reconnect') client.close();
              },
            });
            client.addEventListener('close', () => resolve(log));
          }),
        server.url('/close'),
      ),
      { what: 'a reconnect' },
    );
    const reconnect = find(log, 'reconnect', { attempt: 1, code: 3000, reason: 'Go away!' });
    assert.ok(reconnect, JSON.stringify(log));
    assert.equal(typeof reconnect[1].delay, 'number');
    assert.ok(find(log, 'close'), JSON.stringify(names(log)));
  });

  it('works with the SockJS facade too', async function () {
    const page = await openPage();
    const log = await openAndClose(page, server.url('/echo'), { transports: 'xhr-streaming' }, { sockjs: true });
    assert.ok(find(log, 'transport:start', { transport: 'xhr-streaming' }), JSON.stringify(log));
    assert.ok(find(log, 'transport:open', { transport: 'xhr-streaming' }), JSON.stringify(log));
    assert.ok(find(log, 'close', { code: 1000 }), JSON.stringify(log));
  });

  it('debug: true logs to console.debug; without it, nothing is logged', async function () {
    const page = await openPage();
    const logged = [];
    page.page.on('console', (message) => logged.push(`${message.type()} ${message.text()}`));
    const runCycle = (options) =>
      withDeadline(
        page.run(
          (url, o) =>
            new Promise((resolve) => {
              const client = new Resock(url, o);
              client.addEventListener('open', () => client.close());
              client.addEventListener('close', () => resolve());
            }),
          server.url('/echo'),
          options,
        ),
        { what: 'open and close' },
      );
    await runCycle({});
    assert.deepEqual(logged, [], 'silent by default');
    await runCycle({ debug: true });
    assert.ok(logged.length > 0 && logged.every((line) => line.startsWith('debug ')), logged.join('\n'));
    assert.ok(logged.some((line) => line.includes('transport:open')), logged.join('\n'));
  });
});
