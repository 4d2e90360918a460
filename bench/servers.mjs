// The servers of the benchmark, all on 127.0.0.1:
//  - a sockjs-node echo server that can be restarted on the same port (the reconnect scenario);
//  - a static server for the bench page, the resock bundle and sockjs-client's bundle, on a port
//    of its own so that every request of the clients is cross-origin, as in real apps.
// The test servers in test/support listen on a new random port each time, which a restart
// cannot use; the proxy and the network tracker are reused from there as they are.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sockjs from 'sockjs';
import { onLoopback } from '../test/support/loopback.mjs';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * sockjs-node's own default heartbeat (25 s): production-like, and far apart enough that it
 * lands in at most one of the few hundred round trips of a run (it only shows in the max).
 */
export const HEARTBEAT_DELAY = 25000;

/**
 * `/echo` on sockjs-node 0.3.24: SockJS sessions on every transport, and the raw WebSocket
 * endpoint `/echo/websocket` (messages as they are, no SockJS framing) for the bare client.
 * `restart()` ends every connection, as a crashed process would, and listens again on the same
 * port with a fresh sockjs-node (no session survives). `observe` (bench/latency.mjs) hears each
 * request as it arrives (`request(req)`) and each message as the server reads it (`message()`).
 */
export async function startEchoServer({ port = 0, observe } = {}) {
  let current = null; // { lifecycle, port }

  const listen = async (onPort) => {
    const server = http.createServer(answerNotFound);
    server.on('upgrade', (req, socket) => socket.destroy()); // replaced by sockjs for its prefix
    const endpoint = sockjs.createServer({ heartbeat_delay: HEARTBEAT_DELAY, log: () => {} });
    endpoint.on('connection', (conn) =>
      conn.on('data', (message) => {
        if (observe) observe.message();
        conn.write(message);
      }),
    );
    endpoint.installHandlers(server, { prefix: '/echo' });
    // After installHandlers: sockjs-node moves the request listeners it finds behind its own.
    if (observe) server.prependListener('request', observe.request);
    const lifecycle = onLoopback(server);
    const listening = await listenOn(lifecycle, server, onPort);
    return { lifecycle, port: listening };
  };

  current = await listen(port);
  const boundPort = current.port;
  return {
    port: boundPort,
    url: (prefix) => `http://127.0.0.1:${boundPort}${prefix}`,
    wsUrl: (prefix) => `ws://127.0.0.1:${boundPort}${prefix}`,
    /** Stops (every connection reset) and listens again at once. Resolves with the times of both. */
    async restart() {
      const stoppedAt = Date.now();
      await current.lifecycle.close();
      current = await listen(boundPort);
      return { stoppedAt, listeningAt: Date.now() };
    },
    close: () => current.lifecycle.close(),
  };
}

/** onLoopback() listens on port 0; a restart needs the same port, so listen here. */
function listenOn(lifecycle, server, port) {
  if (!port) return lifecycle.listen();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

function answerNotFound(req, res) {
  const origin = req.headers.origin;
  if (origin) res.setHeader('Access-Control-Allow-Origin', origin);
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('Not found\n');
}

const FILES = {
  '/bench/page.js': 'bench/page.js',
  '/resock.min.js': 'dist/resock.min.js',
  '/sockjs.min.js': 'node_modules/sockjs-client/dist/sockjs.min.js',
};
const LIBRARY_SCRIPT = { resock: '/resock.min.js', sockjs: '/sockjs.min.js', ws: null };

/**
 * `/bench/page.html?client=resock|sockjs|ws`: a page that loads only that client's library
 * (so resock's bundle never defines `SockJS` in a sockjs-client page, or the reverse), then the
 * in-page harness.
 */
export async function startStaticServer({ bundle } = {}) {
  // Read once: another build during a run must not change what is measured half-way through.
  // `bundle` replaces dist/resock.min.js, to measure a candidate build against the current one.
  const files = new Map();
  for (const [served, file] of Object.entries(FILES)) {
    files.set(served, await readFile(served === '/resock.min.js' && bundle ? path.resolve(bundle) : path.join(repoRoot, file)));
  }
  const server = http.createServer((req, res) => {
    serve(req, res, files).catch((error) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(error));
    });
  });
  const lifecycle = onLoopback(server);
  const port = await lifecycle.listen();
  return {
    port,
    pageUrl: (client) => `http://127.0.0.1:${port}/bench/page.html?client=${client}`,
    /** The bytes served for `/resock.min.js`, `/sockjs.min.js`… */
    file: (served) => files.get(served),
    close: lifecycle.close,
  };
}

async function serve(req, res, files) {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname === '/bench/page.html') {
    const client = url.searchParams.get('client');
    if (!(client in LIBRARY_SCRIPT)) return notFound(res);
    const library = LIBRARY_SCRIPT[client] ? `<script src="${LIBRARY_SCRIPT[client]}"></script>` : '';
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench ${client}</title>
<link rel="icon" href="data:,">${library}<script src="/bench/page.js"></script></head><body></body></html>`;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    return res.end(html);
  }
  const body = files.get(url.pathname);
  if (!body) return notFound(res);
  res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(body);
}

function notFound(res) {
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('Not found\n');
}
