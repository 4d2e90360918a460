// The server peer of the browser tests: sockjs-node 0.3.24 on 127.0.0.1, a random port,
// with the endpoints of the SockJS protocol test server (echo, close, …).
import http from 'node:http';
import sockjs from 'sockjs';
import { onLoopback } from './loopback.mjs';

const quiet = () => {};

/**
 * Starts the server, on a random port unless `port` is given (a restart on the same port).
 * `onRequest(req, res)`, if given, sees every request before the endpoints do.
 * Endpoints:
 * - `/echo`: echoes every message (heartbeat every `heartbeatDelay` ms);
 * - `/close`: closes every new session with `c[3000,"Go away!"]`;
 * - `/push`: writes 'one', 'two', 'three' right after open;
 * - `/disabled_websocket_echo`: echo, with WebSocket turned off in /info;
 * - `/cookie_needed_echo`: echo, with `cookie_needed: true` (JSESSIONID) in /info.
 * Any other path answers 404 with CORS headers, so that a page of another origin can
 * read the status (a 404 without them looks like a network error to the page).
 */
export async function startSockjsServer({ heartbeatDelay = 25000, port: wantedPort = 0, onRequest } = {}) {
  const server = http.createServer(answerNotFound);
  // A WebSocket handshake on an unknown path: hang up rather than leave it dangling.
  server.on('upgrade', (req, socket) => socket.destroy());

  const options = { heartbeat_delay: heartbeatDelay, log: quiet, sockjs_url: '/sockjs.js' };
  const echo = createEndpoint(options, (conn) => conn.on('data', (message) => conn.write(message)));
  const close = createEndpoint(options, (conn) => conn.close(3000, 'Go away!'));
  const push = createEndpoint(options, (conn) => ['one', 'two', 'three'].forEach((m) => conn.write(m)));

  echo.installHandlers(server, { prefix: '/echo' });
  close.installHandlers(server, { prefix: '/close' });
  push.installHandlers(server, { prefix: '/push' });
  echo.installHandlers(server, { prefix: '/disabled_websocket_echo', websocket: false });
  echo.installHandlers(server, { prefix: '/cookie_needed_echo', jsessionid: true });

  // Installed after sockjs's handlers, which replace the listeners they find, and placed
  // first so that every request is seen, whichever handler answers it.
  const openRequests = trackOpenRequests(server);
  // Placed first of all: a test may delay an answer, rewrite a URL or kill a socket before any endpoint sees the request.
  if (onRequest) server.prependListener('request', onRequest);

  const lifecycle = onLoopback(server);
  const port = await lifecycle.listen(wantedPort);
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    /** The base URL of one endpoint, e.g. `url('/echo')`. */
    url: (prefix) => `http://127.0.0.1:${port}${prefix}`,
    /** URLs of the requests the server has not finished answering and whose socket is still open. */
    pendingRequests: () => [...openRequests.values()],
    close: lifecycle.close,
  };
}

function createEndpoint(options, onConnection) {
  const endpoint = sockjs.createServer(options);
  endpoint.on('connection', onConnection);
  return endpoint;
}

function answerNotFound(req, res) {
  const origin = req.headers.origin;
  if (origin) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
  }
  const requestedHeaders = req.headers['access-control-request-headers'];
  if (requestedHeaders) res.setHeader('Access-Control-Allow-Headers', requestedHeaders);
  res.writeHead(req.method === 'OPTIONS' ? 204 : 404, { 'Content-Type': 'text/plain' });
  res.end(req.method === 'OPTIONS' ? undefined : 'Not found\n');
}

/** Keeps the URL of every request (and WebSocket upgrade) until it is answered or its socket closes. */
function trackOpenRequests(server) {
  const open = new Map();
  server.prependListener('request', (req, res) => {
    open.set(req, req.url);
    res.once('close', () => open.delete(req));
  });
  server.prependListener('upgrade', (req, socket) => {
    open.set(req, req.url);
    socket.once('close', () => open.delete(req));
  });
  return open;
}
