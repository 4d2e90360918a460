// The server peer of the resume browser tests: sockjs-node 0.3.24 on 127.0.0.1 with the resume
// companion (resock/server, from dist/) on one prefix and the same app without it on another,
// so that one run can show what resume saves. Restartable on the same port (its state is lost).
import http from 'node:http';
import sockjs from 'sockjs';
import { attachResume, MemoryStore, ResumableConnection } from '../../dist/esm/server/index.js';
import { onLoopback } from './loopback.mjs';

const quiet = () => {};

/**
 * The numbered-traffic app, one per prefix: it records the client's messages `c<n>` in the
 * order they arrive, and pushes `s<n>` every `pushEvery` ms (from `startPush()`) to the newest
 * connection, which, without the companion, is each link in turn: what is pushed while there is
 * no open link, or onto a link that is dying, is lost, as a plain SockJS session allows.
 * Any other message is echoed, `resync` answered with `state:<received>`. `sessionsOnly`: a
 * plain connection the companion hands over is not made current (see below).
 */
function numberedApp({ sessionsOnly = false } = {}) {
  // `log`: every message received, as it came; `sessions`: the logical sessions (the companion's connections).
  const app = { received: [], log: [], sessions: [], pushed: 0, connections: 0, closes: 0, current: null, timer: null, waiters: new Set() };
  const notify = () => app.waiters.forEach((fn) => fn());
  app.onConnection = (conn) => {
    app.connections += 1;
    // Behind the companion, a poll that Chromium sent again after its SockJS session was gone
    // opens a new SockJS session that never says hello: the companion hands it over as a plain
    // connection after its helloTimeout. No client reads it; pushing there would lose messages.
    if (sessionsOnly && !(conn instanceof ResumableConnection)) return;
    if (conn instanceof ResumableConnection) app.sessions.push(conn);
    app.current = conn;
    conn.on('close', () => (app.closes += 1, notify()));
    conn.on('data', (message) => {
      app.log.push(message);
      if (/^c\d+$/.test(message)) app.received.push(Number(message.slice(1)));
      else if (message === 'resync') conn.write(`state:${app.received.length}`);
      else conn.write(message);
      notify();
    });
  };
  /** Pushes `count` messages, one every `every` ms; resolves when the last was written. */
  app.push = (count, every) =>
    new Promise((resolve) => {
      const tick = () => {
        if (app.pushed >= count) return resolve();
        // Whatever the connection's state: a write into a closed one is what a plain session loses.
        if (app.current) app.current.write(`s${app.pushed}`);
        app.pushed += 1;
        app.timer = setTimeout(tick, every);
      };
      tick();
    });
  /** Resolves once `test()` holds, checked after every message received (and, on /resume, every frame). */
  app.until = (test) =>
    new Promise((resolve) => {
      const check = () => test() && (app.waiters.delete(check), resolve());
      app.waiters.add(check);
      check();
    });
  app.stop = () => clearTimeout(app.timer);
  app.notify = notify;
  return app;
}

/**
 * A minimal STOMP 1.2 server: CONNECT, SUBSCRIBE, SEND (to the subscribers), receipts. As strict
 * as RabbitMQ where a client that lost track of its session would show: a second CONNECT on a
 * connection, or a SUBSCRIBE with an id in use, is answered with an ERROR.
 */
function stompApp(conn) {
  const subscriptions = new Map(); // id → destination
  let connected = false;
  let buffer = '';
  let messageId = 0;
  const frame = (command, headers, body = '') =>
    conn.write(`${command}\n${Object.entries(headers).map(([k, v]) => `${k}:${v}\n`).join('')}\n${body}\0`);
  conn.on('data', (data) => {
    buffer += data;
    for (let end = buffer.indexOf('\0'); end >= 0; end = buffer.indexOf('\0')) {
      const [head, ...rest] = buffer.slice(0, end).replace(/^\n+/, '').split('\n\n');
      buffer = buffer.slice(end + 1);
      const [command, ...lines] = head.split('\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]));
      const refused = (command === 'CONNECT' && connected) || (command === 'SUBSCRIBE' && subscriptions.has(headers.id));
      if (refused) frame('ERROR', { message: `${command} refused: ${command === 'CONNECT' ? 'already connected' : 'subscription id in use'}` });
      else if (command === 'CONNECT' || command === 'STOMP') (connected = true), frame('CONNECTED', { version: '1.2', 'heart-beat': '0,0' });
      if (command === 'SUBSCRIBE' && !refused) subscriptions.set(headers.id, headers.destination);
      if (command === 'SEND') {
        for (const [id, destination] of subscriptions) {
          if (destination === headers.destination) frame('MESSAGE', { destination, subscription: id, 'message-id': String(++messageId) }, rest.join('\n\n'));
        }
      }
      if (headers.receipt) frame('RECEIPT', { 'receipt-id': headers.receipt });
    }
  });
}

/** A MemoryStore that remembers every token it was given, in order (the last one resumes). */
class TokenLog extends MemoryStore {
  tokens = [];
  set(token, record) {
    if (this.tokens.at(-1) !== token) this.tokens.push(token);
    super.set(token, record);
  }
}

/**
 * Starts the server, on a random port unless `port` is given (a restart: every session is gone).
 * - `/resume`: the numbered app behind the companion (`app.resume`);
 * - `/plain`: the same app, no companion (`app.plain`);
 * - `/echo`: a plain echo (a SockJS server that knows nothing of resume);
 * - `/stomp`: a minimal STOMP server behind the companion.
 */
export async function startResumeServer({ heartbeatDelay = 500, port: wantedPort = 0, ttl = 60000, ackDelay = 200, maxMessages = 1000 } = {}) {
  const server = http.createServer((req, res) => {
    res.writeHead(404);
    res.end();
  });
  server.on('upgrade', (req, socket) => socket.destroy());
  const options = { heartbeat_delay: heartbeatDelay, log: quiet, sockjs_url: '/sockjs.js' };
  const apps = { resume: numberedApp({ sessionsOnly: true }), plain: numberedApp() };
  const companions = [];

  const resumeSock = sockjs.createServer(options);
  const store = new TokenLog();
  companions.push(attachResume(resumeSock, { ttl, ackDelay, maxMessages, store }).on('connection', apps.resume.onConnection));
  // After the companion's own listener: `until` also checks after every frame a client sent on a
  // link (an ack, a hello), which the companion reads without telling the app.
  resumeSock.on('connection', (link) => link.on('data', () => queueMicrotask(apps.resume.notify)));
  resumeSock.installHandlers(server, { prefix: '/resume' });

  const plainSock = sockjs.createServer(options);
  plainSock.on('connection', apps.plain.onConnection);
  plainSock.installHandlers(server, { prefix: '/plain' });

  const echoSock = sockjs.createServer(options);
  echoSock.on('connection', (conn) => conn.on('data', (message) => conn.write(message)));
  echoSock.installHandlers(server, { prefix: '/echo' });

  const stompSock = sockjs.createServer(options);
  companions.push(attachResume(stompSock, { ttl, ackDelay }).on('connection', stompApp));
  stompSock.installHandlers(server, { prefix: '/stomp' });

  const lifecycle = onLoopback(server);
  const port = await lifecycle.listen(wantedPort);
  return {
    port,
    app: apps,
    /** Every token `/resume` issued, in order. */
    tokens: store.tokens,
    url: (prefix) => `http://127.0.0.1:${port}${prefix}`,
    /** Stops at once, as a crash would: no goodbye to any client, every session forgotten. */
    close: async () => {
      apps.resume.stop();
      apps.plain.stop();
      await lifecycle.close();
      // After the sockets are gone, so that no client hears the companion's 3105: a crash says nothing.
      for (const companion of companions) companion.close();
    },
  };
}
