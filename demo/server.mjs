// The demo server: the page (demo/), the built library (dist/ at /dist/) and a sockjs-node
// chat endpoint at /chat, all on 127.0.0.1 with nothing else to install or start.
//
//   npm run demo              # builds dist/, then serves http://127.0.0.1:8090/
//   PORT=9000 node demo/server.mjs
//   npm run demo:cluster      # 3 of these behind HAProxy, RabbitMQ between them (demo/cluster.mjs)
//
// As a cluster node (RESOCK_DEMO_NODE=<name> RESOCK_DEMO_AMQP=<amqp url>) it tells pages its name,
// carries the chat through RabbitMQ, answers GET /health (503 while draining) for the load
// balancer, and on SIGTERM drains: every session is closed with 1012 "service restart", so
// clients come back at once on another node, and the process exits.
//
// `startDemoServer({ port })` is what the command line and the demo's test both use.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sockjs from 'sockjs';
import { DEFAULT_MAX_BODY_BYTES, installBodyLimit } from './body-limit.mjs';
import { connectBus } from './bus.mjs';
import { createChat } from './chat.mjs';
import { installFaults, parseChatUrl, wrapListeners } from './faults.mjs';
import { installStompRelay, parseBroker } from './stomp-relay.mjs';

const DEMO_DIR = fileURLToPath(new URL('.', import.meta.url));
const DIST_DIR = path.join(DEMO_DIR, '..', 'dist');
const PREFIX = '/chat';
const STOMP_PREFIX = '/stomp';
const DEFAULT_PORT = 8090;

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

// The page runs under the policy a careful site would set: no inline script or style, every
// connection to its own origin. JSONP polling still works, since its <script> is same-origin.
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** Which file answers a path: demo/ for the page, dist/ for /dist/, nothing else. */
function resolveFile(pathname) {
  const clean = path.posix.normalize(decodeURIComponent(pathname));
  if (clean.includes('\0') || clean.includes('..')) return null;
  if (clean === '/') return path.join(DEMO_DIR, 'index.html');
  const [root, relative] = clean.startsWith('/dist/') ? [DIST_DIR, clean.slice('/dist/'.length)] : [DEMO_DIR, clean.slice(1)];
  const ext = path.extname(relative);
  // Server-side modules (.mjs) and anything unexpected stay private.
  if (!TYPES[ext] || (root === DEMO_DIR && relative.includes('/'))) return null;
  return path.join(root, relative);
}

async function serveStatic(req, res) {
  let file;
  try {
    file = (req.method === 'GET' || req.method === 'HEAD') && resolveFile(new URL(req.url, 'http://demo.invalid').pathname);
  } catch {
    file = null;
  }
  let body;
  try {
    body = file && (await readFile(file));
  } catch {
    body = null;
  }
  if (!body) {
    const missingDist = req.url.startsWith('/dist/') && !existsSync(DIST_DIR);
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end(missingDist ? 'dist/ is not built: run `npm run build` (or `npm run demo`).\n' : 'Not found\n');
    return;
  }
  res.writeHead(200, { ...PAGE_HEADERS, 'Content-Type': TYPES[path.extname(file)] });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Starts the demo on 127.0.0.1. `port: 0` picks a free one. With `broker` ('host:port' of a
 * STOMP broker such as RabbitMQ), `/stomp` relays STOMP to it and the page offers the shared
 * STOMP room. With `amqp` (an AMQP URL), the chat's rooms go through RabbitMQ and span every node
 * connected to it; `node` names this node to pages; `allowKill` lets the page's "kill this node"
 * button end the process (cluster demo only). Request bodies are bounded by `maxBodyBytes`, and the
 * rooms by `maxRooms` (default 50: demo/chat.mjs).
 * Resolves with `{ port, url, close(), drain() }`; `close()` ends every connection (streams,
 * WebSockets and broker links included); `drain()` closes every session with 1012 first.
 */
export async function startDemoServer({
  port = DEFAULT_PORT,
  host = '127.0.0.1',
  broker = null,
  brokerLogin = 'guest',
  brokerPasscode = 'guest',
  log = () => {},
  node = null,
  amqp = null,
  allowKill = false,
  maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
  jsessionid = false,
  maxRooms = undefined,
} = {}) {
  let draining = false;
  let chat = null;
  const server = http.createServer((req, res) => {
    if (req.url === '/health') {
      // For the load balancer's checks: a draining node takes no new sessions.
      res.writeHead(draining ? 503 : 200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(`${draining ? 'draining' : 'up'} ${node || 'demo'}\n`);
      return;
    }
    serveStatic(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const endpoint = sockjs.createServer({
    log: (severity, message) => severity === 'error' && log(`sockjs: ${message}`),
    heartbeat_delay: 25000,
    disconnect_delay: 5000,
    // A JSESSIONID cookie on every HTTP transport request (and cookie_needed in /info), for a
    // balancer that routes by it (demo/haproxy.mjs, balance 'jsessionid').
    jsessionid,
  });
  // Below every endpoint: an upgrade that none of them takes (ws://host/, a path outside /chat)
  // is refused. Node leaves an upgrade to its listeners, so unanswered its socket stayed open for ever.
  server.on('upgrade', (req, socket) => socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
  endpoint.installHandlers(server, { prefix: PREFIX });
  const prefixes = [PREFIX];
  if (broker) {
    installStompRelay(server, { prefix: STOMP_PREFIX, broker: parseBroker(broker), login: brokerLogin, passcode: brokerPasscode, log });
    prefixes.push(STOMP_PREFIX);
  }
  // Last, so that the fault switches see every request before sockjs-node does.
  const faults = installFaults(server, { prefixes, trace: (...args) => chat && chat.trace(...args) });
  // A draining node serves its own sessions until their close frames are out, and answers 503 to
  // anything else (/info, a new session): HAProxy retries those on another node (retry-on 503).
  const whileDraining = (req) => {
    const target = parseChatUrl(req.url, PREFIX);
    return !!target && !!chat && chat.refusesNew(target.sessionId);
  };
  wrapListeners(server, 'request', (req, res) => {
    if (!whileDraining(req)) return false;
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close', 'Retry-After': '0' });
    res.end('draining\n');
    return true;
  });
  wrapListeners(server, 'upgrade', (req, socket) => {
    if (!whileDraining(req)) return false;
    socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return true;
  });
  // Last of all: a body too large is refused before anything reads it.
  installBodyLimit(server, {
    maxBytes: maxBodyBytes,
    onRefused: (req, bytes) => log(`refused a body of ${bytes}+ bytes: ${req.method} ${req.url.split('?')[0]}`),
  });
  const bus = amqp
    ? await connectBus({
        url: amqp,
        onMessage: (message) => chat && chat.deliver(message),
        // Without the bus the rooms would silently split: better to stop and be restarted.
        onLost: (error) => {
          log(`lost RabbitMQ (${error.message}): exiting`);
          process.exit(1);
        },
      })
    : null;
  const onKillRequest = allowKill
    ? (client) => {
        log(`${node}: killed from the page of ${client.nick} (SIGKILL)`);
        process.kill(process.pid, 'SIGKILL');
      }
    : null;
  chat = createChat(endpoint, {
    prefix: PREFIX,
    faults,
    stomp: broker ? { prefix: STOMP_PREFIX, broker: String(broker) } : null,
    node,
    bus,
    onKillRequest,
    maxRooms,
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = server.address().port;
  const close = async () => {
    await new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    if (bus) await bus.close();
  };
  return {
    port: actualPort,
    url: `http://${host}:${actualPort}/`,
    close,
    /** Sessions closed with 1012 (new ones too), a grace for their close frames, then `close()`. */
    async drain(options) {
      // /health stays 200 during the grace: were HAProxy to mark the node down, it would send the
      // next poll of a closing session elsewhere, and that client would miss its 1012.
      await chat.drain(options);
      draining = true;
      await close();
    },
  };
}

async function main() {
  const port = process.env.PORT === undefined ? DEFAULT_PORT : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number, not '${process.env.PORT}'`);
    process.exit(2);
  }
  if (!existsSync(path.join(DIST_DIR, 'resock.min.js'))) {
    console.warn('dist/ is not built: run `npm run demo` (it builds first) or `npm run build`.');
  }
  let demo;
  try {
    const { RESOCK_DEMO_BROKER: broker, RESOCK_DEMO_BROKER_LOGIN: brokerLogin, RESOCK_DEMO_BROKER_PASSCODE: brokerPasscode } = process.env;
    const { RESOCK_DEMO_NODE: node, RESOCK_DEMO_AMQP: amqp, RESOCK_DEMO_ALLOW_KILL: allowKill, RESOCK_DEMO_MAX_BODY: maxBody, RESOCK_DEMO_JSESSIONID: jsessionid } = process.env;
    demo = await startDemoServer({
      port,
      broker: broker || null,
      brokerLogin,
      brokerPasscode,
      node: node || null,
      amqp: amqp || null,
      allowKill: allowKill === '1',
      maxBodyBytes: maxBody ? Number(maxBody) : undefined,
      jsessionid: jsessionid === '1',
      log: (line) => console.error(node ? `[${node}] ${line}` : line),
    });
  } catch (error) {
    const hint = error.code === 'EADDRINUSE' ? ` (port ${port} is taken: try PORT=${port + 1} npm run demo)` : '';
    console.error(`cannot start the demo: ${error.message}${hint}`);
    process.exit(1);
  }
  // The cluster launcher waits for this line: the node listens and its bus is connected.
  console.log(`resock demo${process.env.RESOCK_DEMO_NODE ? ` node ${process.env.RESOCK_DEMO_NODE}` : ''}: ${demo.url}  (ESM variant: ${demo.url}esm.html)`);
  if (process.env.RESOCK_DEMO_BROKER) console.log(`STOMP room relayed to the broker at ${process.env.RESOCK_DEMO_BROKER}`);
  console.log('Open it in two windows, pick different transports, and chat. Ctrl-C stops.');
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) process.exit(130); // a second Ctrl-C: do not wait
    stopping = true;
    console.log(`\n${signal}: stopping the demo server${signal === 'SIGTERM' ? ' (draining: sessions closed with 1012)' : ''}`);
    // SIGTERM is how a redeploy stops a node: its clients are told to come back elsewhere now.
    await (signal === 'SIGTERM' ? demo.drain() : demo.close());
    // sockjs-node keeps per-session timers for a few seconds after the last socket is gone.
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
