// Runs first in the cross-engine test page, in Chromium, Firefox and WebKit alike. Classic
// WebDriver (WebKit) has no preload scripts and no page-error events, so this page does what
// the puppeteer harness does elsewhere: it deletes the globals named in `?delete=` before the
// bundle loads, starts from an empty sessionStorage (one WebKit tab serves every test, and
// resock remembers blocked transports there), and records uncaught errors for the test to check.
// Every helper resolves with plain JSON values, which every driver carries alike.
'use strict';
(() => {
  const params = new URLSearchParams(location.search);
  for (const name of (params.get('delete') || '').split(',').filter(Boolean)) delete window[name];
  try {
    sessionStorage.clear();
  } catch {
    // no storage: nothing remembered either
  }

  const errors = [];
  window.addEventListener('error', (event) => errors.push(String((event.error && event.error.stack) || event.message)));
  window.addEventListener('unhandledrejection', (event) => errors.push(`unhandled rejection: ${String(event.reason && (event.reason.stack || event.reason))}`));

  const clients = [];
  /** A client and what it received, with a way to wait for a condition on it. */
  const track = (socket) => {
    const entry = { socket, messages: [], opens: 0, reconnecting: 0, close: null, waiters: new Set() };
    const changed = () => entry.waiters.forEach((check) => check());
    socket.addEventListener('open', () => ((entry.opens += 1), changed()));
    socket.addEventListener('message', (event) => (entry.messages.push(event.data), changed()));
    socket.addEventListener('reconnecting', () => ((entry.reconnecting += 1), changed()));
    socket.addEventListener('close', (event) => ((entry.close = { code: event.code, reason: event.reason }), changed()));
    clients.push(entry);
    return clients.length - 1;
  };
  /** Resolves once `read()` is not undefined; rejects if the client closed first (unless the close is awaited). */
  const until = (id, read, what) =>
    new Promise((resolve, reject) => {
      const entry = clients[id];
      const check = () => {
        const value = read(entry);
        if (value !== undefined) resolve(value);
        else if (entry.close) reject(new Error(`closed before ${what}: ${JSON.stringify(entry.close)}, ${entry.messages.length} message(s)`));
        else return;
        entry.waiters.delete(check);
      };
      entry.waiters.add(check);
      check();
    });

  window.enginePage = {
    /** `new Resock.SockJS(url, null, options)` or `new Resock(url, options)`; resolves with its id once open, and the transport. */
    async open(client, url, options) {
      const socket = client === 'Resock' ? new window.Resock(url, options) : new window.Resock.SockJS(url, null, options);
      const id = track(socket);
      await until(id, (e) => (e.opens > 0 ? true : undefined), "'open'");
      return { id, transport: socket.transport };
    },
    send(id, messages) {
      for (const message of messages) clients[id].socket.send(message);
    },
    /** The first `count` messages, once that many arrived. */
    messages(id, count) {
      return until(id, (e) => (e.messages.length >= count ? e.messages.slice(0, count) : undefined), `${count} message(s)`);
    },
    /** Resolves once the client reported at least `count` 'reconnecting' events. */
    reconnecting(id, count) {
      return until(id, (e) => (e.reconnecting >= count ? e.reconnecting : undefined), `${count} 'reconnecting'`);
    },
    /** Resolves with `{ opens, transport }` once the client opened `count` times in all. */
    opened(id, count) {
      return until(id, (e) => (e.opens >= count ? { opens: e.opens, transport: e.socket.transport } : undefined), `${count} 'open'`);
    },
    /** Closes the client; resolves with the close event's code and reason. */
    close(id) {
      clients[id].socket.close();
      return until(id, (e) => e.close || undefined, "'close'");
    },
    /**
     * A `SockJS` with `options` and a `debug` hook, closed once open; resolves with the transport
     * it opened on and the debug log, `[event, detail]` entries.
     */
    debugLog(url, options) {
      return new Promise((resolve) => {
        const log = [];
        const socket = new window.Resock.SockJS(url, null, { ...options, debug: (event, detail) => log.push([event, detail || null]) });
        let transport = null;
        socket.addEventListener('open', () => {
          transport = socket.transport;
          socket.close();
        });
        socket.addEventListener('close', () => resolve({ transport, log: JSON.parse(JSON.stringify(log)) }));
      });
    },
    /** The uncaught errors and unhandled rejections of the page so far. */
    errors() {
      return errors.slice();
    },
  };
})();
