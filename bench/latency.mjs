// Where one round trip's time goes, on the HTTP transports: the client's `send()` → the server
// sees the POST (`xhr_send` / `jsonp_send`) → the server's `data` event (the body read) → the
// echo is written → the client's `onmessage`. Client and server run on one machine, so both
// sides' times are on one clock (performance.timeOrigin + performance.now() in each).
// For telling what a client can still win from what the browser's own request path costs.
// With --open: where the first WebSocket open of a fresh page goes, resock's against the bare
// WebSocket's (the page's WebSocket wrapped to note when it is created, opens, and brings its
// first message, SockJS's `o`).
//
//   node bench/latency.mjs                                      (xhr-streaming, eventsource, xhr-polling)
//   node bench/latency.mjs --transports xhr-polling --count 100 --pause 20
//   node bench/latency.mjs --open --count 30
//
// --count: round trips per client and transport (the first 5 are not counted: warm-up), or
// with --open, first opens per client (each in a fresh context, the clients alternating);
// --pause: ms between round trips (0: back to back, as the benchmark's round trip; with a pause,
// a poll is already waiting at the server when the POST comes, so "data → message" is the
// delivery alone).
import { parseArgs } from 'node:util';
import { launchBrowser, raisePriority, withPage } from './run.mjs';
import { startEchoServer, startStaticServer } from './servers.mjs';
import { fmtSummary, summarize } from './stats.mjs';

const { values: args } = parseArgs({
  options: {
    transports: { type: 'string', default: 'xhr-streaming,eventsource,xhr-polling' },
    clients: { type: 'string', default: 'resock,sockjs' },
    count: { type: 'string', default: '60' },
    pause: { type: 'string', default: '0' },
    open: { type: 'boolean', default: false },
  },
});
const WARM_UP = 5;
const SEND_PATH = /\/(xhr_send|jsonp_send)(\?|$)/;
const epochMs = () => performance.timeOrigin + performance.now();

/** The benchmark's echo server, noting when the POST of the current round trip came and when its message was read. */
async function startTimedEchoServer() {
  let current = null;
  const server = await startEchoServer({
    observe: {
      request: (req) => {
        if (current && SEND_PATH.test(req.url)) current.post ??= epochMs();
      },
      message: () => {
        if (current) current.data ??= epochMs();
      },
    },
  });
  return {
    url: server.url('/echo'),
    /** Starts noting the times of a new round trip; returns the record. */
    track: () => (current = {}),
    close: server.close,
  };
}

async function roundTrips(browser, statics, server, client, transport) {
  return withPage(browser, statics, client, async ({ page }) => {
    await page.evaluate(
      async (c, url, t) => {
        const Ctor = c === 'resock' ? window.Resock.SockJS : window.SockJS;
        const sock = new Ctor(url, null, { transports: t });
        await new Promise((resolve, reject) => {
          setTimeout(() => reject(new Error('no open within 10 s')), 10000);
          sock.onopen = resolve;
          sock.onclose = (event) => reject(new Error(`closed before open: ${event.code} ${event.reason}`));
        });
        window.latencySocket = sock;
      },
      client,
      server.url,
      transport,
    );
    const rows = [];
    for (let i = 0; i < Number(args.count); i++) {
      const record = server.track();
      const { sent, received } = await page.evaluate(
        () =>
          new Promise((resolve, reject) => {
            const sock = window.latencySocket;
            const timer = setTimeout(() => reject(new Error('no echo within 10 s')), 10000);
            const sent = performance.timeOrigin + performance.now();
            sock.onmessage = () => {
              clearTimeout(timer);
              resolve({ sent, received: performance.timeOrigin + performance.now() });
            };
            sock.send('x'.repeat(64));
          }),
      );
      if (i >= WARM_UP) rows.push({ rtt: received - sent, toPost: record.post - sent, toData: record.data - record.post, toMessage: received - record.data });
      if (Number(args.pause)) await new Promise((resolve) => setTimeout(resolve, Number(args.pause)));
    }
    await page.evaluate(() => window.latencySocket.close());
    return rows;
  });
}

/** One first open in a fresh page: ms from the constructor call to each step, as the page saw them. */
function openOnce(browser, statics, server, client) {
  return withPage(browser, statics, client, async ({ page }) =>
    page.evaluate(
      async (c, url) => {
        const steps = {};
        const Native = window.WebSocket;
        const start = performance.now();
        const note = (step) => (steps[step] ??= performance.now() - start);
        // Created by resock from a microtask after its constructor: the wrapper notes when.
        window.WebSocket = function WebSocket(target, protocols) {
          note('created');
          const ws = new Native(target, protocols);
          ws.addEventListener('open', () => note('handshake'));
          ws.addEventListener('message', () => note('firstFrame'));
          return ws;
        };
        Object.assign(window.WebSocket, { prototype: Native.prototype, CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
        // The bare WebSocket to a SockJS session's own endpoint: the same handshake, no `o` awaited.
        const sock = c === 'ws' ? new window.WebSocket(`${url.replace(/^http/, 'ws')}/000/bare0000/websocket`) : new window.Resock.SockJS(url, null, { transports: 'websocket' });
        note('constructed');
        await new Promise((resolve, reject) => {
          setTimeout(() => reject(new Error('no open within 10 s')), 10000);
          sock.onopen = resolve;
          sock.onclose = (event) => reject(new Error(`closed before open: ${event.code} ${event.reason}`));
        });
        note('open');
        sock.close();
        return steps;
      },
      client,
      server.url,
    ),
  );
}

async function mainOpen(browser, statics, server) {
  const steps = ['constructed', 'created', 'handshake', 'firstFrame', 'open'];
  const samples = { ws: [], resock: [] };
  for (let round = 0; round < Number(args.count); round++) {
    for (const client of round % 2 ? ['ws', 'resock'] : ['resock', 'ws']) samples[client].push(await openOnce(browser, statics, server, client));
  }
  console.log(`first WebSocket open of a fresh page, ms after the constructor call, median (min–max) of ${args.count}`);
  console.log(['client '].concat(steps.map((step) => step.padEnd(20))).join(' '));
  for (const [client, rows] of Object.entries(samples)) {
    const cell = (step) => (rows.every((r) => r[step] !== undefined) ? fmtSummary(summarize(rows.map((r) => r[step]))) : '—').padEnd(20);
    console.log([client.padEnd(7)].concat(steps.map(cell)).join(' '));
  }
}

async function mainRoundTrips(browser, statics, server) {
  console.log(`ms, median (min–max) of ${Number(args.count) - WARM_UP} round trips of 64 B, ${args.pause} ms apart`);
  console.log('client  transport      round trip          send → POST         POST → data         data → message');
  for (const transport of args.transports.split(',')) {
    for (const client of args.clients.split(',')) {
      const rows = await roundTrips(browser, statics, server, client, transport);
      const cell = (key) => fmtSummary(summarize(rows.map((r) => r[key]))).padEnd(20);
      console.log(`${client.padEnd(7)} ${transport.padEnd(14)} ${cell('rtt')}${cell('toPost')}${cell('toData')}${cell('toMessage')}`);
    }
  }
}

async function main() {
  raisePriority(-10);
  const server = await startTimedEchoServer();
  const statics = await startStaticServer();
  const { browser, close } = await launchBrowser();
  try {
    await (args.open ? mainOpen : mainRoundTrips)(browser, statics, server);
  } finally {
    await close();
    await statics.close();
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
