// The in-page half of the benchmark. The page loads one client library (or none, for the bare
// WebSocket); bench/run.mjs drives these functions through puppeteer. Times are taken here,
// with performance.now(), except where Node must compare them with its own events (a server
// restart): those are Date.now() epochs, on the same machine clock.
'use strict';
(() => {
  const live = new Set(); // every socket made and not yet closed by the harness
  let current = null; // the connection of session() / prepare(), which step() measures on

  /** A new socket of the page's client: resock's SockJS facade, sockjs-client, or a bare WebSocket. */
  function makeSocket({ client, url, wsUrl, transport }) {
    if (client === 'ws') return new WebSocket(wsUrl);
    const Ctor = client === 'resock' ? window.Resock.SockJS : window.SockJS;
    return new Ctor(url, null, transport ? { transports: transport } : {});
  }

  const transportOf = (spec, sock) => (spec.client === 'ws' ? 'websocket' : sock.transport || null);

  /**
   * One connection with a single message handler slot (`conn.handle`), so that each measurement
   * swaps in its own handler without adding listeners. Resolves once open.
   */
  function connect(spec) {
    const t0 = performance.now();
    const sock = makeSocket(spec);
    live.add(sock);
    const conn = { sock, handle: null, closed: null, onClosed: null };
    sock.onmessage = (event) => conn.handle && conn.handle(event.data);
    return new Promise((resolve, reject) => {
      sock.onopen = () => {
        conn.openMs = performance.now() - t0;
        conn.transport = transportOf(spec, sock);
        resolve(conn);
      };
      sock.onclose = (event) => {
        conn.closed = { code: event.code, reason: event.reason };
        live.delete(sock);
        if (conn.onClosed) conn.onClosed(conn.closed);
        reject(new Error(`closed before open: ${event.code} ${event.reason}`));
      };
    });
  }

  /** Resolves with `fn`'s promise, or rejects after `ms` naming `what`; also rejects if the link closes. */
  function bounded(conn, what, ms, fn) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      conn.onClosed = (closed) => reject(new Error(`closed during ${what}: ${closed.code} ${closed.reason}`));
      fn(resolve, reject);
    }).finally(() => (conn.onClosed = null));
  }

  const median = (list) => {
    const s = list.slice().sort((a, b) => a - b);
    return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN;
  };
  const percentile = (list, p) => {
    const s = list.slice().sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
  };

  /** `count` sequential echoes: send, wait for the echo, send the next. */
  async function roundTrips(conn, count) {
    const times = [];
    for (let i = 0; i < count; i++) {
      const message = `rtt ${i}`;
      const t0 = performance.now();
      const echoed = await bounded(conn, `echo ${i}`, 10000, (resolve) => {
        conn.handle = resolve;
        conn.sock.send(message);
      });
      times.push(performance.now() - t0);
      if (echoed !== message) throw new Error(`echo ${i}: got ${JSON.stringify(echoed).slice(0, 40)}`);
    }
    conn.handle = null;
    return { count, median: median(times), p95: percentile(times, 95), min: Math.min(...times), max: Math.max(...times) };
  }

  /** `count` messages of `size` bytes sent in one task; time until the last echo, count and order checked. */
  async function burst(conn, count, size) {
    const messages = [];
    for (let i = 0; i < count; i++) messages.push(String(i).padStart(8, '0').padEnd(size, 'x'));
    let received = 0;
    let outOfOrder = 0;
    const t0 = performance.now();
    let ms;
    try {
      await bounded(conn, `burst of ${count}`, 60000, (resolve) => {
        conn.handle = (data) => {
          if (data !== messages[received]) outOfOrder++;
          if (++received === count) resolve();
        };
        for (const message of messages) conn.sock.send(message);
      });
      ms = performance.now() - t0;
    } catch (error) {
      return { count, received, outOfOrder, error: error.message };
    } finally {
      conn.handle = null;
    }
    return { count, size, received, outOfOrder, ms, rate: count / (ms / 1000) };
  }

  /** One message of `bytes` ASCII bytes, echoed `times` times in turn; each echo is compared. */
  async function bigEcho(conn, bytes, times) {
    const message = 'abcdefghijklmnopqrstuvwxyz012345'.repeat(Math.ceil(bytes / 32)).slice(0, bytes);
    const samples = [];
    for (let i = 0; i < times; i++) {
      const t0 = performance.now();
      const echoed = await bounded(conn, `${bytes}-byte echo`, 60000, (resolve) => {
        conn.handle = resolve;
        conn.sock.send(message);
      });
      samples.push(performance.now() - t0);
      if (echoed !== message) throw new Error(`${bytes}-byte echo came back different (${echoed.length} bytes)`);
    }
    conn.handle = null;
    return { bytes, samples, median: median(samples) };
  }

  /** Closes every socket of the harness; resolves once each reported its close (or after 3 s). */
  function closeAll() {
    const closing = [...live].map(
      (sock) =>
        new Promise((resolve) => {
          const timer = setTimeout(resolve, 3000);
          sock.addEventListener('close', () => {
            clearTimeout(timer);
            resolve();
          });
          sock.close();
        }),
    );
    live.clear();
    return Promise.all(closing);
  }

  // The reconnect scenario's application, whose event times (Date.now()) Node compares with the
  // moment it stopped the server.
  const app = { opens: [], noticed: [], waiters: new Set(), stop: null, socket: null };
  const wakeApp = () => {
    for (const wake of [...app.waiters]) wake();
  };

  window.bench = {
    /** Opens one connection; returns its open time and transport (the socket stays open). */
    async open(spec) {
      const conn = await connect(spec);
      return { ms: conn.openMs, transport: conn.transport };
    },

    /** One connection: open, round trips, burst, big echoes. Stays open; closeAll() ends it. */
    async session(spec, options) {
      await window.bench.prepare(spec);
      const result = { openMs: current.openMs, transport: current.transport };
      for (const name of ['rtt', 'burst', 'big']) {
        try {
          result[name] = await window.bench.step(name, options);
        } catch (error) {
          result[name] = { error: error.message };
        }
      }
      return result;
    },

    /** Opens the connection that step() measures on (bench/profile.mjs profiles one step at a time). */
    async prepare(spec) {
      current = await connect(spec);
      return { ms: current.openMs, transport: current.transport };
    },

    /** One measurement on the prepared connection: 'rtt', 'burst' or 'big'. */
    step(name, { roundTripCount, burstCount, burstSize, bigBytes, bigTimes }) {
      if (name === 'rtt') return roundTrips(current, roundTripCount);
      if (name === 'burst') return burst(current, burstCount, burstSize);
      if (name === 'big') return bigEcho(current, bigBytes, bigTimes);
      throw new Error(`no step '${name}'`);
    },

    /** Opens `count` connections in turn to a URL (every transport allowed), closing each once open. */
    async fallback(spec, count) {
      const results = [];
      for (let i = 0; i < count; i++) {
        try {
          const conn = await connect(spec);
          results.push({ ms: conn.openMs, transport: conn.transport });
        } catch (error) {
          results.push({ error: error.message });
        }
        await closeAll();
      }
      return results;
    },

    /**
     * Starts the application of the reconnect scenario and resolves once it is open:
     * - resock: its reconnecting client, `new Resock(url, { transports, reconnect: { minDelay, maxDelay: minDelay } })`
     *   (every retry after exactly `minDelay`, as the others do);
     * - sockjs-client and the bare WebSocket have no reconnection: the app's `onclose` constructs
     *   a new socket after the same `minDelay` (and again after every failed attempt).
     * `noticed` is when the app learnt of the loss (resock's `reconnecting` event, the others'
     * `close`), `opens` when each link opened.
     */
    startApp(spec, minDelay) {
      app.opens = [];
      app.noticed = [];
      if (spec.client === 'resock') {
        const client = new window.Resock(spec.url, { transports: spec.transport, reconnect: { minDelay, maxDelay: minDelay } });
        client.addEventListener('reconnecting', () => {
          app.noticed.push(Date.now());
          wakeApp();
        });
        client.onopen = () => {
          app.opens.push(Date.now());
          wakeApp();
        };
        app.socket = client;
        app.stop = () => client.close();
      } else {
        let stopped = false;
        let timer = null;
        const start = () => {
          const sock = makeSocket(spec);
          app.socket = sock;
          sock.onopen = () => {
            app.opens.push(Date.now());
            wakeApp();
          };
          sock.onclose = () => {
            app.noticed.push(Date.now());
            wakeApp();
            if (!stopped) timer = setTimeout(start, minDelay);
          };
        };
        start();
        app.stop = () => {
          stopped = true;
          clearTimeout(timer);
          app.socket.close();
        };
      }
      return window.bench.appOpened(1);
    },

    /** Resolves once the app has opened `count` links; rejects after `timeoutMs`. */
    appOpened(count, timeoutMs = 20000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          app.waiters.delete(check);
          reject(new Error(`app opened ${app.opens.length} of ${count} links in ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (app.opens.length < count) return;
          clearTimeout(timer);
          app.waiters.delete(check);
          resolve({ opens: app.opens.slice(), noticed: app.noticed.slice() });
        };
        app.waiters.add(check);
        check();
      });
    },

    /** One echo over the app's current link, to prove the new link carries messages. */
    appEcho(timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const sock = app.socket;
        const timer = setTimeout(() => reject(new Error('no echo after reconnect')), timeoutMs);
        sock.onmessage = (event) => {
          clearTimeout(timer);
          resolve(event.data === 'after');
        };
        sock.send('after');
      });
    },

    stopApp() {
      if (app.stop) app.stop();
      app.stop = null;
    },

    closeAll,
  };
})();
